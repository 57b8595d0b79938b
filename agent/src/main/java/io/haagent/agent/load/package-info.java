/**
 * Per-host load for the planned scaler: what one sample holds (read from /proc and statfs, the application's
 * throughput, the host's HA states and lifecycle) and its rendering as one document.
 *
 * <p>Public for the daemon's wiring: {@link io.haagent.agent.load.LoadSampler} (one sample, rendered once as a
 * {@link io.haagent.agent.load.PushedSample}), the readers it runs ({@link io.haagent.agent.load.HostReaders#linux},
 * {@link io.haagent.agent.load.RedisThroughput}, {@link io.haagent.agent.load.HttpThroughput}), the EC2 identity
 * ({@link io.haagent.agent.load.Ec2Identity}) and the HA view the daemon fills ({@link io.haagent.agent.load.HaView}).
 * The /proc readers themselves are package-private. Sending is {@code load.push}'s.
 */
package io.haagent.agent.load;
