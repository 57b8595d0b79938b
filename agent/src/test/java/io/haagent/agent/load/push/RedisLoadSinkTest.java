package io.haagent.agent.load.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Defaults;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The redis sink against a real redis-server on loopback. */
class RedisLoadSinkTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final String HASH = "scaler:load:web:host-a";
    private static final String HOSTS = "scaler:hosts:web";

    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void needsRedis() {
        RedisServer.assumeAvailable();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void send_writesTheHashWithSeqAndTime_expiring_andTheNodeInItsRolesHostsSet() throws Exception {
        RedisServer redis = redis(RedisServer.start());
        RedisLoadSink sink = sink(redis, Optional.empty());

        sink.send(Samples.sample("host-a", "web", 3, Samples.T0));

        assertEquals(String.join("\n", "node_load1", "0.3", "node_cpu_seconds_total{mode=\"user\"}", "103",
                "seq", "3", "time", "1796461200"), redis.command("HGETALL", HASH));
        long ttl = Long.parseLong(redis.command("PTTL", HASH));
        assertTrue(ttl > 0 && ttl <= TTL.toMillis(), "the hash expires after the ttl: " + ttl);
        assertEquals(String.join("\n", "host-a", "1796461200"), redis.command("ZRANGE", HOSTS, "0", "-1", "WITHSCORES"),
                "the node, scored by the sample's time in epoch seconds");
        assertTrue(Long.parseLong(redis.command("PTTL", HOSTS)) > 0, "a role whose hosts all died goes too");
        assertEquals("redis " + redis.address(), sink.name());
    }

    @Test
    void send_replacesTheWholeHash_andDropsHostsSilentLongerThanTheTtl() throws Exception {
        RedisServer redis = redis(RedisServer.start());
        RedisLoadSink sink = sink(redis, Optional.empty());
        redis.command("HSET", HASH, "a_series_gone_since", "1");
        long now = Samples.T0.getEpochSecond();
        redis.command("ZADD", HOSTS, Long.toString(now - TTL.toSeconds() - 1), "host-dead",
                Long.toString(now - 5), "host-b");

        sink.send(Samples.sample("host-a", "web", 1, Samples.T0));

        assertNull(redis.command("HGET", HASH, "a_series_gone_since"), "DEL first: no field of an older sample stays");
        assertEquals(String.join("\n", "host-b", "host-a"), redis.command("ZRANGE", HOSTS, "0", "-1"));
    }

    @Test
    void send_isOneMultiPerSample() throws Exception {
        RedisServer redis = redis(RedisServer.start());
        RedisLoadSink sink = sink(redis, Optional.empty());
        sink.send(Samples.sample("host-a", "web", 1, Samples.T0)); // connected: the monitor sees only the sample
        try (Socket monitor = new Socket("127.0.0.1", redis.port())) {
            monitor.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = monitor.getOutputStream();
            out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("+OK", in.readLine());

            sink.send(Samples.sample("host-a", "web", 2, Samples.T0.plusSeconds(10)));

            List<String> commands = new ArrayList<>();
            Pattern command = Pattern.compile("^\\+[0-9.]+ \\[[^]]*] \"([A-Za-z]+)\"");
            while (!commands.contains("EXEC")) {
                Matcher m = command.matcher(in.readLine());
                if (m.find()) {
                    commands.add(m.group(1).toUpperCase());
                }
            }
            assertEquals(List.of("MULTI", "DEL", "HSET", "PEXPIRE", "ZADD", "ZREMRANGEBYSCORE", "PEXPIRE", "EXEC"),
                    commands);
        }
    }

    @Test
    void send_wrongPassword_isAnAuthFailure() {
        RedisServer redis = redis(RedisServer.builder().requirePass("right").start());
        RedisLoadSink sink = sink(redis, Optional.of("wrong"));

        SinkFailure f = assertThrows(SinkFailure.class, () -> sink.send(Samples.sample("host-a", "web", 1, Samples.T0)));

        assertEquals(FailureReason.AUTH, f.reason(), f.sentence());
    }

    @Test
    void send_redisStopped_isAConnectFailure_andTheNextSendAfterItsRestartReconnects() throws Exception {
        RedisServer redis = redis(RedisServer.start());
        RedisLoadSink sink = sink(redis, Optional.empty());
        sink.send(Samples.sample("host-a", "web", 1, Samples.T0));

        redis.stop();
        SinkFailure f = assertThrows(SinkFailure.class,
                () -> sink.send(Samples.sample("host-a", "web", 2, Samples.T0.plusSeconds(10))));
        assertEquals(FailureReason.CONNECT, f.reason(), f.sentence());

        redis.restart();
        Eventually.within(Duration.ofSeconds(10), "a send after the restart", () -> {
            try {
                sink.send(Samples.sample("host-a", "web", 2, Samples.T0.plusSeconds(10)));
                return true;
            } catch (SinkFailure again) {
                return false;
            }
        });
        assertEquals("2", redis.command("HGET", HASH, "seq"));
    }

    private RedisServer redis(RedisServer server) {
        opened.add(server);
        return server;
    }

    private RedisLoadSink sink(RedisServer redis, Optional<String> password) {
        RedisLoadSink sink = new RedisLoadSink(redis.host(), redis.port(), password, Defaults.REDIS_SINK_KEY,
                Defaults.REDIS_SINK_HOSTS_KEY, TTL, TIMEOUT);
        opened.add(sink);
        return sink;
    }
}
