package io.haagent.agent.load.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import io.haagent.testkit.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http sink against a real HTTP server on 127.0.0.1 (the JDK's, in this JVM). */
class HttpLoadSinkTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private final AtomicInteger status = new AtomicInteger(204);
    private final AtomicReference<String> body = new AtomicReference<>();
    private final AtomicReference<String> headers = new AtomicReference<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hang;
    private HttpServer server;
    private HttpLoadSink sink;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/load", exchange -> {
            try (InputStream in = new GZIPInputStream(exchange.getRequestBody())) {
                body.set(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            headers.set(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + exchange.getRequestHeaders().getFirst("Content-Encoding"));
            if (hang) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        sink = new HttpLoadSink(url(server.getAddress().getPort()), TIMEOUT);
    }

    @AfterEach
    void stop() {
        release.countDown();
        sink.close();
        server.stop(0);
    }

    @Test
    void send_postsTheJsonGzipped_andA2xxTakesIt() throws Exception {
        sink.send(Samples.sample("host-a", "web", 7, Samples.T0));

        assertEquals("{\"node\":\"host-a\",\"role\":\"web\",\"seq\":7,\"node_load1\":0.7}", body.get());
        assertEquals("POST application/json gzip", headers.get());
        assertEquals("http " + url(server.getAddress().getPort()), sink.name());
    }

    @Test
    void send_answered503_failsWithTheStatus() {
        status.set(503);

        SinkFailure f = assertThrows(SinkFailure.class, () -> sink.send(Samples.sample("host-a", "web", 1, Samples.T0)));

        assertEquals(FailureReason.HTTP_STATUS, f.reason());
        assertEquals("HTTP 503", f.sentence());
    }

    @Test
    void send_answered401_isAnAuthFailure() {
        status.set(401);

        SinkFailure f = assertThrows(SinkFailure.class, () -> sink.send(Samples.sample("host-a", "web", 1, Samples.T0)));

        assertEquals(FailureReason.AUTH, f.reason());
    }

    @Test
    void send_nothingListening_isAConnectFailure() {
        try (HttpLoadSink nowhere = new HttpLoadSink(url(FreePorts.tcp()), TIMEOUT)) {
            SinkFailure f = assertThrows(SinkFailure.class,
                    () -> nowhere.send(Samples.sample("host-a", "web", 1, Samples.T0)));

            assertEquals(FailureReason.CONNECT, f.reason(), f.sentence());
            assertEquals("connection refused", f.sentence());
        }
    }

    @Test
    void send_noAnswerWithinTheTimeout_isATimeout() {
        hang = true;

        SinkFailure f = assertThrows(SinkFailure.class, () -> sink.send(Samples.sample("host-a", "web", 1, Samples.T0)));

        assertEquals(FailureReason.TIMEOUT, f.reason());
        assertEquals("no answer within 500ms", f.sentence());
    }

    private static URI url(int port) {
        return URI.create("http://127.0.0.1:" + port + "/load");
    }
}
