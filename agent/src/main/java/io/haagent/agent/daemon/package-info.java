/** The daemon: wiring config, checks, healing and the admin server together, and reloading safely. */
package io.haagent.agent.daemon;
