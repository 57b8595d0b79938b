package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Prometheus server on a free 127.0.0.1 port that scrapes one target every second, in its own temporary
 * directory (config and TSDB), for tests that check what Prometheus itself makes of a scrape: {@code up}, the
 * labels it stores, {@code increase()} over a real event, the format it negotiated.
 *
 * <pre>{@code
 * try (PrometheusServer prometheus = PrometheusServer.scraping("haagent", "127.0.0.1:" + adminPort)) {
 *     String json = prometheus.query("up{job=\"haagent\"}"); // the HTTP API's answer, as it came
 * }
 * }</pre>
 *
 * <p>Without a {@code prometheus} binary the calling test is skipped with the reason — except under CI
 * ({@code CI=true}), where it fails: {@code .ci/run} installs it. {@code PROMETHEUS} may name the binary.
 * {@link #close()} kills the server and deletes its directory; a JVM shutdown hook kills a server a test forgot.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final LocalProgram PROGRAM = new LocalProgram("prometheus", "PROMETHEUS",
            "install it (apt-get install prometheus, which ships /usr/bin/prometheus)",
            ".ci/run should have installed it (APT_PACKAGES has prometheus:prometheus)");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int port;
    private final LocalProcess process = new LocalProcess(() -> "prometheus on port " + port, LocalProcess.Reach.PROCESS);

    private PrometheusServer(Path dir) {
        this.dir = dir;
        this.logFile = dir.resolve("prometheus.log");
    }

    /** Skips the calling test when there is no {@code prometheus}; fails instead under CI. */
    public static void assumeAvailable() {
        PROGRAM.assumeAvailable();
    }

    /**
     * Starts Prometheus scraping {@code target} ({@code host:port}, path {@code /metrics}) as job {@code job} every
     * second, and waits until it is ready to answer queries; skips the test when there is no prometheus.
     */
    public static PrometheusServer scraping(String job, String target) {
        assumeAvailable();
        Path binary = PROGRAM.find().orElseThrow();
        Path dir;
        try {
            dir = Files.createTempDirectory("haagent-prometheus-");
            // A 1 s interval so a test sees a few samples within seconds; the timeout must not exceed it.
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: %s
                        static_configs:
                          - targets: ["%s"]
                    """.formatted(job, target));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a directory for prometheus", e);
        }
        PrometheusServer server = new PrometheusServer(dir);
        try {
            LocalProcess.startOnFreePort(port -> {
                server.port = port;
                server.process.start(new ProcessBuilder(binary.toString(),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                        .directory(dir.toFile()), server.logFile);
                server.process.awaitReady("ready (GET /-/ready)", READY_TIMEOUT, server::ready, server::logTail);
            }, server::logTail, server.process::kill);
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** {@code GET /api/v1/query?query=EXPR} at the server's now: the JSON answer as Prometheus wrote it. */
    public String query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /**
     * {@code GET path} (with its query string, already encoded) on the server's HTTP API: the body of a 200 answer.
     *
     * @throws IllegalStateException with the status and the body for any other answer
     */
    public String get(String pathAndQuery) {
        HttpResponse<String> r = send(pathAndQuery);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("prometheus answered " + r.statusCode() + " to GET " + pathAndQuery + ": "
                    + r.body());
        }
        return r.body();
    }

    /** The last lines of the server's log, for failure messages. */
    public String logTail() {
        return LocalProgram.tail(logFile);
    }

    /** Kills the server if it runs and deletes its directory. Safe to call twice. */
    @Override
    public void close() {
        process.kill();
        LocalProgram.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "prometheus 127.0.0.1:" + port;
    }

    private boolean ready() {
        try {
            return send("/-/ready").statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false; // not listening yet
        }
    }

    private HttpResponse<String> send(String pathAndQuery) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + pathAndQuery + " on " + this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + pathAndQuery + " on " + this, e);
        }
    }
}
