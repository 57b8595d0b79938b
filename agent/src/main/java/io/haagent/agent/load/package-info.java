/**
 * Per-host load for the planned scaler: what one sample holds (read from /proc and statfs, the application's
 * throughput, the host's HA states and lifecycle) and its rendering as one document.
 */
package io.haagent.agent.load;
