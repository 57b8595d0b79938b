/**
 * Getting load samples to the planned scaler (issue 15): a bounded backlog that survives a sink's outage, the sinks
 * behind one contract, and the thread that samples and sends.
 *
 * <p>{@link io.haagent.agent.load.push.LoadPusher} owns the one thread ({@code load-push}): it takes a sample every
 * interval, offers it to the pure {@code PushBacklog} (oldest first, the oldest dropped beyond the bound, a backoff
 * after a failure, one sentence when the sink goes down and one when it is back) and hands the head to a
 * {@link io.haagent.agent.load.push.LoadSink}: {@code http} ({@code HttpLoadSink}), {@code redis}
 * ({@code RedisLoadSink}) or {@code zookeeper} ({@code ZookeeperLoadSink}, on the daemon's one ZooKeeper session).
 * What happened reaches a {@link io.haagent.agent.load.push.PushListener} (the metrics). Nothing here blocks checks,
 * healing or VRRP: every sink call has a timeout and runs on the push thread.
 */
package io.haagent.agent.load.push;
