package io.haagent.agent.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The application's throughput from a real redis-server's INFO. */
class RedisThroughputTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @BeforeAll
    static void redisInstalled() {
        RedisServer.assumeAvailable();
    }

    private static Readings read(RedisThroughput reader) {
        Readings r = new Readings();
        r.take(reader);
        return r;
    }

    @Test
    void master_countersAsRedisExporterNamesThem_noReplicaSeries() {
        try (RedisServer redis = RedisServer.builder().config("maxmemory 64mb").start();
             RedisThroughput reader = new RedisThroughput(redis.host(), redis.port(), Optional.empty(), TIMEOUT)) {
            for (int i = 0; i < 10; i++) {
                redis.command("SET", "k" + i, "v");
            }
            Readings first = read(reader);
            Readings second = read(reader);

            assertEquals(List.of(), first.problems());
            assertEquals(List.of("redis_commands_processed_total", "redis_instantaneous_ops_per_sec",
                    "redis_connected_clients", "redis_memory_used_bytes", "redis_memory_max_bytes",
                    "redis_evicted_keys_total", "redis_connected_slaves"), List.copyOf(first.series().keySet()));
            long before = (Long) first.series().get("redis_commands_processed_total");
            assertTrue(before >= 10, "the SETs are counted: " + before);
            assertTrue((Long) second.series().get("redis_commands_processed_total") > before, "a counter");
            assertEquals(64L * 1024 * 1024, second.series().get("redis_memory_max_bytes"));
            assertTrue((Long) second.series().get("redis_memory_used_bytes") > 0);
            assertTrue((Long) second.series().get("redis_connected_clients") >= 1, "the reader's own connection");
            assertEquals(0L, second.series().get("redis_evicted_keys_total"));
        }
    }

    @Test
    void replica_linkUpAndLastIo_withPassword() {
        try (RedisServer master = RedisServer.builder().requirePass("s3cret").start();
             RedisServer replica = RedisServer.builder().requirePass("s3cret").masterAuth("s3cret").replicaOf(master)
                     .start();
             RedisThroughput reader = new RedisThroughput(replica.host(), replica.port(), Optional.of("s3cret"),
                     TIMEOUT)) {
            replica.awaitMasterLinkUp(Duration.ofSeconds(20));

            Readings r = read(reader);

            assertEquals(List.of(), r.problems());
            assertEquals(1L, r.series().get("redis_master_link_up"));
            long lastIo = (Long) r.series().get("redis_master_last_io_seconds_ago");
            assertTrue(lastIo >= 0 && lastIo <= 20, "seconds since the master spoke: " + lastIo);
        }
    }

    @Test
    void master_itsReplicasAndTheirLag_asRedisExporterNamesThem() {
        try (RedisServer master = RedisServer.start();
             RedisServer replica = RedisServer.builder().replicaOf(master).start();
             RedisThroughput reader = new RedisThroughput(master.host(), master.port(), Optional.empty(), TIMEOUT)) {
            replica.awaitMasterLinkUp(Duration.ofSeconds(20));

            Readings r = Eventually.get(Duration.ofSeconds(20), "the replica listed with its lag", () ->
                    Optional.of(read(reader)).filter(x -> x.series().keySet().stream()
                            .anyMatch(k -> k.startsWith("redis_connected_slave_lag_seconds{"))));

            assertEquals(1L, r.series().get("redis_connected_slaves"));
            String lag = "redis_connected_slave_lag_seconds{slave_ip=\"127.0.0.1\",slave_port=\"" + replica.port()
                    + "\"}";
            long seconds = ((Number) r.series().get(lag)).longValue();
            assertTrue(seconds >= 0 && seconds <= 20, lag + " = " + seconds + " in " + r.series().keySet());
        }
    }

    @Test
    void wrongPassword_aProblemNotAnException() {
        try (RedisServer redis = RedisServer.builder().requirePass("s3cret").start();
             RedisThroughput reader = new RedisThroughput(redis.host(), redis.port(), Optional.of("wrong"), TIMEOUT)) {
            Readings r = read(reader);

            assertEquals(0, r.series().size());
            assertEquals(1, r.problems().size());
            assertTrue(r.problems().getFirst().startsWith("Redis throughput (INFO from " + redis.address()
                    + ") left out: WRONGPASS"), r.problems().getFirst());
        }
    }

    @Test
    void redisStoppedThenBack_aProblemWhileDown_readsAgainAfter() {
        try (RedisServer redis = RedisServer.start();
             RedisThroughput reader = new RedisThroughput(redis.host(), redis.port(), Optional.empty(), TIMEOUT)) {
            assertEquals(List.of(), read(reader).problems());

            redis.stop();
            Readings down = read(reader);
            assertEquals(0, down.series().size());
            assertEquals(1, down.problems().size(), down.problems().toString());
            assertFalse(down.problems().getFirst().isBlank());
            assertEquals(List.of(reader.what() + " left out: Failed to connect to " + redis.address() + "."),
                    read(reader).problems(), "the next sample connects afresh, in Jedis' words");

            redis.restart();
            Readings back = read(reader);
            assertEquals(List.of(), back.problems(), "a fresh connection after the failure");
            assertTrue(back.series().containsKey("redis_commands_processed_total"));
        }
    }
}
