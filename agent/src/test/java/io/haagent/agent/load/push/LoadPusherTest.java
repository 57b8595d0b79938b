package io.haagent.agent.load.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.haagent.agent.load.PushedSample;
import io.haagent.config.Defaults;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;
import io.haagent.time.Backoff;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pusher on its own thread against real sinks, on short intervals: the outage the issue names. Whatever fits the
 * bound arrives once, in order; beyond it the oldest are dropped and counted.
 */
class LoadPusherTest {
    private static final Duration INTERVAL = Duration.ofMillis(50);
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(20), Duration.ofMillis(100));
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Samples samples = new Samples("host-a", "web");
    private final Recorder recorder = new Recorder();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void httpAnswering503ThenOk_everySampleArrivesOnce_inOrder() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        List<Long> received = new CopyOnWriteArrayList<>();
        HttpServer server = httpServer(status, received, new CountDownLatch(0));
        LoadPusher pusher = pusher(new HttpLoadSink(url(server), Duration.ofSeconds(2)), 1000);

        Eventually.within(WAIT, "samples arrive", () -> received.size() >= 3);
        status.set(503);
        long failingFrom = samples.taken();
        Eventually.within(WAIT, "ten samples taken while the sink answers 503", () -> samples.taken() >= failingFrom + 10);
        status.set(200);
        long after = samples.taken();
        Eventually.within(WAIT, () -> "every sample up to " + after + " arrived: " + received,
                () -> received.size() >= after);
        pusher.close();

        assertEquals(LongStream.rangeClosed(1, received.size()).boxed().toList(), received,
                "once each, in order, none missing");
        assertTrue(recorder.failures(FailureReason.HTTP_STATUS) > 0, "the 503s were counted");
        assertEquals(0, recorder.dropped.get());
        assertEquals(received.size(), recorder.sent.get());
    }

    @Test
    void redisStoppedAndRestarted_theBacklogIsResentInOrder_andBeyondTheBoundTheOldestAreDropped() throws Exception {
        RedisServer.assumeAvailable();
        RedisServer redis = RedisServer.start();
        opened.add(redis);
        List<Long> written = new CopyOnWriteArrayList<>();
        LoadSink sink = recording(new RedisLoadSink(redis.host(), redis.port(), Optional.empty(),
                Defaults.REDIS_SINK_KEY, Defaults.REDIS_SINK_HOSTS_KEY, Duration.ofMinutes(1), Duration.ofSeconds(2)),
                written);
        LoadPusher pusher = pusher(sink, 5);

        Eventually.within(WAIT, "samples written", () -> written.size() >= 3);
        redis.stop();
        long stoppedAt = samples.taken();
        Eventually.within(WAIT, "more samples than the bound taken while redis is down",
                () -> samples.taken() >= stoppedAt + 12);
        redis.restart();
        long after = samples.taken();
        Eventually.within(WAIT, () -> "the samples up to " + after + " written or dropped: " + written,
                () -> !written.isEmpty() && written.getLast() >= after && recorder.buffered.get() <= 1);
        pusher.close();

        for (int i = 1; i < written.size(); i++) {
            assertTrue(written.get(i) > written.get(i - 1), "strictly increasing, no duplicate: " + written);
        }
        long missing = written.getLast() - written.size();
        assertTrue(recorder.dropped.get() > 0, "the outage outlasted the bound of 5");
        assertEquals(missing, recorder.dropped.get(), "each sample missing was counted as dropped: " + written);
        assertEquals(Long.toString(written.getLast()), redis.command("HGET", "scaler:load:web:host-a", "seq"),
                "redis holds the newest sample");
        assertTrue(recorder.failures(FailureReason.CONNECT) > 0);
    }

    @Test
    void close_withASendInFlight_stopsTheThreadWithinItsBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        opened.add(release::countDown);
        HttpServer server = httpServer(new AtomicInteger(200), new CopyOnWriteArrayList<>(), release);
        LoadPusher pusher = pusher(new HttpLoadSink(url(server), Duration.ofSeconds(30)), 10);
        Eventually.within(WAIT, "the push thread runs", () -> pushThread().isPresent());
        Thread thread = pushThread().orElseThrow();

        pusher.close();

        assertFalse(thread.isAlive(), "close() stopped the load-push thread though a send hung");
    }

    private LoadPusher pusher(LoadSink sink, int buffer) {
        LoadPusher pusher = new LoadPusher(samples, sink, INTERVAL, buffer, BACKOFF, recorder, Ticker.SYSTEM,
                InstantSource.system());
        opened.add(pusher);
        return pusher.start();
    }

    /** The real sink, noting each seq it took: what a consumer of every write would have seen. */
    private static LoadSink recording(LoadSink sink, List<Long> taken) {
        return new LoadSink() {
            @Override
            public String name() {
                return sink.name();
            }

            @Override
            public void send(PushedSample sample) throws SinkFailure {
                sink.send(sample);
                taken.add(sample.seq());
            }

            @Override
            public void close() {
                sink.close();
            }
        };
    }

    /** Answers {@code status}; records the seq of each sample it answered 2xx; holds each answer until {@code release}. */
    private HttpServer httpServer(AtomicInteger status, List<Long> received, CountDownLatch release) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/load", exchange -> {
            String json;
            try (InputStream in = new GZIPInputStream(exchange.getRequestBody())) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int answer = status.get();
            if (answer / 100 == 2) {
                received.add(Samples.seqOf(json));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
        opened.add(() -> server.stop(0));
        return server;
    }

    private static URI url(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/load");
    }

    private static Optional<Thread> pushThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("load-push")).findFirst();
    }
}
