/**
 * JSON as haagent writes and reads it: the admin API's answers, {@code haagent status}, and the load push's
 * documents; small and dependency-free beyond jackson-core's streaming.
 */
package io.haagent.agent.json;
