package io.haagent.agent.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The application's throughput from an in-test HTTP server on 127.0.0.1 answering JSON. */
class HttpThroughputTest {
    private final AtomicReference<String> body = new AtomicReference<>("{}");
    private final AtomicInteger status = new AtomicInteger(200);
    private HttpServer server;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/stats", exchange -> {
            try (exchange) {
                byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status.get(), b.length);
                exchange.getResponseBody().write(b);
            }
        });
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/stats");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Readings read(String field) {
        try (HttpThroughput reader = new HttpThroughput(url, field, Duration.ofSeconds(2))) {
            Readings r = new Readings();
            r.take(reader);
            return r;
        }
    }

    @Test
    void dottedField_theNestedNumber() {
        body.set("{\"uptime\": 12, \"stats\": {\"rpm\": 5400, \"p99_ms\": 12.5}}");

        assertEquals(Map.of("app_throughput{field=\"stats.rpm\"}", 5400L), read("stats.rpm").series());
        assertEquals(Map.of("app_throughput{field=\"stats.p99_ms\"}", 12.5), read("stats.p99_ms").series());
        assertEquals(Map.of("app_throughput{field=\"uptime\"}", 12L), read("uptime").series());
    }

    @Test
    void failures_eachAProblemSentence_noSeries() {
        String what = "application throughput (stats.rpm from " + url + ") left out: ";
        body.set("{\"stats\": {\"rps\": 90}}");
        assertEquals(List.of(what + "the answer has no field stats.rpm"), read("stats.rpm").problems());

        body.set("{\"stats\": {\"rpm\": \"lots\"}}");
        assertEquals(List.of(what + "field stats.rpm is lots, not a number"), read("stats.rpm").problems());

        body.set("<html>busy</html>");
        assertEquals(1, read("stats.rpm").problems().size());

        status.set(503);
        body.set("{\"stats\": {\"rpm\": 1}}");
        Readings r = read("stats.rpm");
        assertEquals(List.of(what + "HTTP 503"), r.problems());
        assertEquals(0, r.series().size());
    }

    @Test
    void nothingListening_aProblem() {
        server.stop(0);
        Readings r = read("stats.rpm");
        assertEquals(List.of("application throughput (stats.rpm from " + url + ") left out: connection refused"),
                r.problems());
    }
}
