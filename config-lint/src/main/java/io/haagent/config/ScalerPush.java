package io.haagent.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** {@code scaler.push}: per-host load pushed every {@code interval} to the planned scaler. */
public record ScalerPush(Duration interval, String role, Sink sink) {

    public sealed interface Sink {}

    public record HttpSink(URI url) implements Sink {}

    /** A Redis hash at {@code key} ({@code {role}} is replaced), expiring after {@code ttl}. */
    public record RedisSink(String host, int port, Optional<Secret> password, String key, Duration ttl) implements Sink {}

    /** Ephemeral nodes under {@code path}, through {@code coordination.zookeeper}. */
    public record ZookeeperSink(String path) implements Sink {}
}
