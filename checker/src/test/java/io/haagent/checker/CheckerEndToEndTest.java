package io.haagent.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.haagent.checker.probe.Probes;
import io.haagent.config.CheckSpec;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;
import io.haagent.time.Ticker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler with the real probes against real servers: flips as the daemon will see them. */
class CheckerEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Probes probes = Probes.create();
    private final CheckScheduler scheduler = CheckScheduler.create(probes, Ticker.SYSTEM);
    private final List<CheckFlip> flips = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    CheckerEndToEndTest() {
        scheduler.addListener(new CheckListener() {
            @Override
            public void stateChanged(CheckFlip flip) {
                flips.add(flip);
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        scheduler.close();
        probes.close();
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private static CheckSpec.CheckTiming fast(int rise, int fall) {
        return new CheckSpec.CheckTiming(Duration.ofMillis(100), Duration.ofMillis(80), rise, fall);
    }

    private List<String> sentences() {
        synchronized (flips) {
            return flips.stream().map(CheckFlip::sentence).toList();
        }
    }

    private void await(BooleanSupplier condition, String what) {
        Eventually.within(WAIT, () -> what + "; flips so far: " + sentences(), condition::getAsBoolean);
    }

    @Test
    void redis_killed_goesDownAtOnceThroughItsWatch_restarted_comesBackAfterRise() throws Exception {
        RedisServer redis = RedisServer.start();
        cleanup.add(redis);
        scheduler.apply(Map.of("redis", new CheckSpec.Redis("127.0.0.1", redis.port(), Optional.empty(), fast(2, 2))));
        await(() -> flips.size() == 1, "the first result");
        assertEquals("check redis: UNKNOWN -> UP on its first result: role:master", sentences().getFirst());
        await(() -> watching(redis), "the watch connection");

        redis.kill();
        await(() -> flips.size() == 2, "redis to go down");
        assertEquals("check redis: UP -> DOWN at once: connect refused after the server closed the watch connection",
                sentences().get(1));
        assertEquals(CheckState.DOWN, scheduler.status("redis").orElseThrow().state());

        redis.restart();
        await(() -> flips.size() == 3, "redis to come back");
        assertEquals("check redis: DOWN -> UP after 2 successes: role:master", sentences().get(2));
    }

    /** A hung Redis keeps the watch connection open: the runs and their timeout catch it, after {@code fall}. */
    @Test
    void redis_hung_goesDownAfterFallTimeouts_andBackUpWhenItResumes() throws Exception {
        RedisServer redis = RedisServer.start();
        cleanup.add(redis);
        scheduler.apply(Map.of("redis", new CheckSpec.Redis("127.0.0.1", redis.port(), Optional.empty(), fast(1, 2))));
        await(() -> flips.size() == 1, "the first result");
        await(() -> watching(redis), "the watch connection");

        signal(redis, "STOP");
        try {
            await(() -> flips.size() == 2, "redis to go down");
        } finally {
            signal(redis, "CONT");
        }
        assertEquals("check redis: UP -> DOWN after 2 failures: timed out after 80ms", sentences().get(1));
        await(() -> flips.size() == 3, "redis to come back");
        assertEquals("check redis: DOWN -> UP after 1 success: role:master", sentences().get(2));
    }

    private static boolean watching(RedisServer redis) {
        return redis.command("CLIENT", "LIST").lines().anyMatch(l -> l.contains(" name=haagent-watch ") && l.contains(" sub=1 "));
    }

    private static void signal(RedisServer redis, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(redis.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
    }

    @Test
    void http_startsFailing_goesDown_withTheStatusInTheSentence() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 50);
        server.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        server.start();
        cleanup.add(() -> server.stop(0));
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/healthz");
        scheduler.apply(Map.of("web", new CheckSpec.Http(url, List.of(new CheckSpec.StatusRange(200, 399)),
                Optional.empty(), Optional.empty(), true, fast(2, 3))));
        await(() -> flips.size() == 1, "the first result");

        status.set(503);
        await(() -> flips.size() == 2, "web to go down");
        String sentence = sentences().get(1);
        assertTrue(sentence.matches("check web: UP -> DOWN after 3 failures: HTTP 503 in (<1|\\d+)ms"), sentence);
        CheckStatus st = scheduler.status("web").orElseThrow();
        assertEquals("http", st.type());
        assertTrue(st.lastReason().startsWith("HTTP 503"), st.lastReason());
        assertTrue(st.lastDuration().isPresent());
    }
}
