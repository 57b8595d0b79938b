package io.haagent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code scaler.push}: per-host load pushed every {@code interval} to the planned scaler.
 *
 * @param buffer     how many samples wait while the sink is down; beyond it the oldest are dropped (and counted)
 * @param interfaces the network interfaces whose counters a sample carries; empty: every one but {@code lo}
 * @param mounts     the file systems whose free and total bytes a sample carries
 * @param throughput where the application's own throughput is read, if anywhere
 */
public record ScalerPush(Duration interval, String role, Sink sink, int buffer, List<String> interfaces,
                         List<Path> mounts, Optional<Throughput> throughput) {

    public ScalerPush {
        interfaces = List.copyOf(interfaces);
        mounts = List.copyOf(mounts);
    }

    public sealed interface Sink {}

    /** One gzip'd JSON document per sample, POSTed to {@code url}; a send taking longer than {@code timeout} failed. */
    public record HttpSink(URI url, Duration timeout) implements Sink {}

    /**
     * A Redis hash at {@code key} ({@code {role}} and {@code {node}} filled in), expiring after {@code ttl}, and the
     * node's name in the sorted set {@code hostsKey} scored by the sample's time.
     */
    public record RedisSink(String host, int port, Optional<Secret> password, String key, Duration ttl,
                            String hostsKey) implements Sink {}

    /** An ephemeral node {@code <path>/<role>/<node>} through {@code coordination.zookeeper}'s session. */
    public record ZookeeperSink(String path) implements Sink {}

    /** Where the application's throughput comes from. */
    public sealed interface Throughput {}

    /** One {@code INFO} of a Redis server: its commands, clients, memory, evictions, replication. */
    public record RedisThroughput(String host, int port, Optional<Secret> password) implements Throughput {}

    /** A GET of {@code url} returning JSON; {@code field} (dots for nesting) names the number, like requests a minute. */
    public record HttpThroughput(URI url, String field, Duration timeout) implements Throughput {}
}
