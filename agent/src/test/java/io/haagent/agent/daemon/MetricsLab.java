package io.haagent.agent.daemon;

import static io.haagent.agent.daemon.Exposition.has;
import static io.haagent.agent.daemon.Exposition.samples;

import io.haagent.testkit.FreePorts;
import io.haagent.testkit.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A running agent whose config gives every haagent metric family a series, and the real things its checks read: a
 * listening socket ({@code web}), one a VRRP instance tracks with weight 0 ({@code gate}, closed by
 * {@link #closeGate()}), the file system of the test's directory ({@code root}), a file written two minutes ago
 * ({@code shipped}), a Redis master and its replica ({@code redis-master}, {@code redis-replica}), a supervised
 * {@code sleep} ({@code sleeper}). Skips the test without redis-server. {@link #close()} stops it all.
 */
final class MetricsLab implements AutoCloseable {
    /** How old {@code shipped} is when the lab starts. */
    static final Duration SHIPPED_AGE = Duration.ofMinutes(2);

    private final ServerSocket web;
    private final ServerSocket gate;
    private final RedisServer master;
    private final RedisServer replica;
    private final ScrapedAgent agent;

    private MetricsLab(ServerSocket web, ServerSocket gate, RedisServer master, RedisServer replica, ScrapedAgent agent) {
        this.web = web;
        this.gate = gate;
        this.master = master;
        this.replica = replica;
        this.agent = agent;
    }

    static MetricsLab start(Path dir) throws IOException {
        RedisServer.assumeAvailable();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket web = new ServerSocket(0, 50, loopback);
        ServerSocket gate = new ServerSocket(0, 50, loopback);
        RedisServer master = null;
        RedisServer replica = null;
        try {
            master = RedisServer.start();
            replica = RedisServer.builder().replicaOf(master).start();
            Path shipped = Files.writeString(dir.resolve("shipped.log"), "shipped\n");
            Files.setLastModifiedTime(shipped, FileTime.from(Instant.now().minus(SHIPPED_AGE)));
            ScrapedAgent agent = ScrapedAgent.start(dir, """
                    checks:
                      web: { type: tcp, address: "127.0.0.1:%d", interval: 200ms }
                      gate: { type: tcp, address: "127.0.0.1:%d", interval: 200ms }
                      root: { type: disk, path: %s, max_used_percent: 100, interval: 200ms }
                      shipped: { type: file_age, path: %s, max_age: 1h, interval: 200ms }
                      redis-master: { type: redis, port: %d, interval: 200ms }
                      redis-replica: { type: redis, port: %d, interval: 200ms }
                    vrrp:
                      vip:
                        vrid: 51
                        priority: 150
                        advert_interval: 100ms
                        startup_delay: 0s
                        version: 3
                        transport: udp
                        interface: lo
                        unicast: { source: 127.0.0.1, port: %d, peers: ["127.0.0.1:%d"] }
                        track: [ { check: gate, weight: 0 } ]
                    services:
                      sleeper:
                        process: { command: ["sleep", "600"], stop_timeout: 2s, start_grace: 1s }
                    """.formatted(web.getLocalPort(), gate.getLocalPort(), dir, shipped, master.port(), replica.port(),
                    FreePorts.tcp(), FreePorts.tcp()));
            return new MetricsLab(web, gate, master, replica, agent);
        } catch (IOException | RuntimeException | Error e) {
            web.close();
            gate.close();
            if (replica != null) {
                replica.close();
            }
            if (master != null) {
                master.close();
            }
            throw e;
        }
    }

    ScrapedAgent agent() {
        return agent;
    }

    RedisServer master() {
        return master;
    }

    /** The tracked check's target stops listening: the gate goes down and the instance to FAULT. */
    void closeGate() throws IOException {
        gate.close();
    }

    /**
     * A scrape once every family has a series: the instance MASTER, the service RUNNING, every check's first
     * result, and the Redis pair's readings (the master listing its replica caught up).
     */
    String awaitEveryFamily() {
        return agent.await("every family", m -> has(m, "haagent_vrrp_in_state", Map.of("state", "MASTER"), 1)
                && has(m, "haagent_service_state", Map.of("service", "sleeper"), 2)
                && has(m, "haagent_redis_replication_lag_bytes", Map.of("check", "redis-master"), 0)
                && has(m, "haagent_redis_master_link_down_seconds", Map.of("check", "redis-replica"), 0)
                && samples(m).stream().anyMatch(s -> s.name().equals("haagent_disk_used_ratio"))
                && samples(m).stream().anyMatch(s -> s.name().equals("haagent_file_age_seconds"))
                && samples(m).stream().filter(s -> s.name().equals("haagent_check_up")).allMatch(s -> s.value() == 1));
    }

    @Override
    public void close() throws IOException {
        try {
            agent.close();
        } finally {
            web.close();
            gate.close();
            replica.close();
            master.close();
        }
    }
}
