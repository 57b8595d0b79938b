/** The admin HTTP server: /status, /metrics, and the token-guarded POSTs that operators use. */
package io.haagent.agent.admin;
