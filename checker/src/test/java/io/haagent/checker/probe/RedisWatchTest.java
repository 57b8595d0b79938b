package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.CheckSpec;
import io.haagent.config.Secret;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The redis check's watch connection against a real {@code redis-server}: what it reports when the
 * server dies, restarts, or an operator kills the connection, and that Redis leaves it alone otherwise.
 */
class RedisWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Probes probes;

    private RedisServer redis;
    private Watch watch;
    private final Events events = new Events();

    @BeforeAll
    static void setUp() {
        RedisServer.assumeAvailable();
        probes = Probes.create();
    }

    @AfterAll
    static void tearDown() {
        if (probes != null) {
            probes.close();
        }
    }

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** Every event of the watch, as "lost: why" or "down: why". */
    private static final class Events implements Watch.Listener {
        final List<String> all = new CopyOnWriteArrayList<>();

        @Override
        public void lost(String why) {
            all.add("lost: " + why);
        }

        @Override
        public void down(String why) {
            all.add("down: " + why);
        }
    }

    private void watch(RedisServer server) {
        CheckSpec.Redis spec = new CheckSpec.Redis("127.0.0.1", server.port(), server.password().map(Secret.Inline::new),
                new CheckSpec.CheckTiming(Duration.ofHours(1), Duration.ofSeconds(2), 2, 3));
        watch = probes.forCheck("redis", spec).watch(events);
        await(() -> watchClients(server) == 1 && watchClient(server).contains(" sub=1 "), "the watch connection, subscribed");
    }

    private static long watchClients(RedisServer server) {
        if (!server.isRunning()) {
            return 0;
        }
        return server.command("CLIENT", "LIST").lines().filter(l -> l.contains(" name=" + RedisWatch.CLIENT_NAME + " ")).count();
    }

    private static String watchClient(RedisServer server) {
        return server.command("CLIENT", "LIST").lines().filter(l -> l.contains(" name=" + RedisWatch.CLIENT_NAME + " "))
                .findFirst().orElseThrow();
    }

    @Test
    void redisKilled_watchSaysLost_thenDownBecauseRefused() {
        redis = RedisServer.start();
        watch(redis);
        assertEquals(List.of(), events.all);

        redis.kill();

        await(() -> events.all.size() >= 2, "lost, then down");
        assertEquals(List.of("lost: the server closed the watch connection",
                "down: connect refused after the server closed the watch connection"), events.all.subList(0, 2));
    }

    @Test
    void redisRestarted_isReportedDown_andTheWatchComesBackToTheNewProcess() {
        redis = RedisServer.start();
        watch(redis);

        redis.restart();

        await(() -> events.all.size() >= 2, "lost, then down (or restarted)");
        assertEquals("lost: the server closed the watch connection", events.all.get(0));
        String down = events.all.get(1);
        assertTrue(down.equals("down: connect refused after the server closed the watch connection")
                || down.startsWith("lost: the server restarted: run_id "), down);
        await(() -> watchClients(redis) == 1, "the watch on the new process");
    }

    @Test
    void watchKilledByAnOperator_isLostOnly_andReconnectsQuietly() {
        redis = RedisServer.start();
        watch(redis);
        String before = watchClient(redis);

        redis.command("CLIENT", "KILL", "TYPE", "pubsub");

        await(() -> !events.all.isEmpty() && watchClients(redis) == 1 && !watchClient(redis).equals(before),
                "a new watch connection");
        assertEquals(List.of("lost: the server closed the watch connection"), events.all, "lost, and no down");
    }

    @Test
    void watch_isExemptFromIdleTimeout_andFromClientEviction() throws Exception {
        redis = RedisServer.start();
        redis.command("CONFIG", "SET", "timeout", "1");
        watch(redis);
        String client = watchClient(redis);
        assertTrue(client.matches(".* flags=\\S*e\\S* .*"), "no-evict flag set: " + client);

        // Redis closes clients idle for more than 1s in its cron (10 Hz): 3s is plenty to see it not happen.
        Thread.sleep(3000);

        assertEquals(List.of(), events.all);
        assertEquals(client.replaceAll(" (age|idle|tot-mem|qbuf|qbuf-free|omem|argv-mem|multi-mem|rbs|rbp|obl|oll|cmd|events)=\\S*", ""),
                watchClient(redis).replaceAll(" (age|idle|tot-mem|qbuf|qbuf-free|omem|argv-mem|multi-mem|rbs|rbp|obl|oll|cmd|events)=\\S*", ""),
                "the same connection");
    }

    @Test
    void watchClosed_leavesNoConnection_andReportsNothing() {
        redis = RedisServer.start();
        watch(redis);

        watch.close();

        await(() -> watchClients(redis) == 0, "the watch connection closed");
        assertEquals(List.of(), events.all);
    }

    @Test
    void redisWithAPassword_isWatched() {
        redis = RedisServer.builder().requirePass("s3cret").start();
        watch(redis);
        redis.kill();
        await(() -> events.all.size() >= 2, "lost, then down");
        assertEquals("down: connect refused after the server closed the watch connection", events.all.get(1));
    }

    private void await(BooleanSupplier condition, String what) {
        Eventually.within(WAIT, () -> what + "; the watch said " + events.all, condition::getAsBoolean);
    }
}
