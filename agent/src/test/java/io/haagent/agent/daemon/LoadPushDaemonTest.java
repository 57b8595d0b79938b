package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.haagent.agent.json.Json;
import io.haagent.testkit.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, the daemon test: {@code haagent run} as a real process pushes its load every 200 ms to an in-test HTTP
 * sink on loopback, and what happens to it shows up in the samples as it happens: its VRRP instance going MASTER and
 * then FAULT (a tracked check goes down), its service killed and restarted, the node drained and undrained, and a
 * reload that changes the push. The same document is {@code GET /load}.
 */
class LoadPushDaemonTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private final List<Map<String, Object>> samples = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private HttpServer sink;
    private ServerSocket tracked;

    @AfterEach
    void stopAll() throws IOException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (sink != null) {
            sink.stop(0);
        }
        if (tracked != null) {
            tracked.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailoverAServiceRestartAndADrain_showUpInTheSamplesAsTheyHappen() throws Exception {
        startSink();
        tracked = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        int admin = freePort();
        Process p = haagent(admin);

        Map<String, Object> master = awaitSample("vip MASTER, sleeper RUNNING, in service",
                s -> "MASTER".equals(vrrp(s).get("state")) && "RUNNING".equals(services(s).get("sleeper"))
                        && "in_service".equals(ha(s).get("lifecycle")));
        assertEquals("web", master.get("role"));
        assertEquals("loadtest", master.get("node"));
        Map<String, Object> series = (Map<String, Object>) master.get("series");
        assertTrue(series.containsKey("node_load1") && series.containsKey("node_memory_MemTotal_bytes")
                && series.containsKey("node_filesystem_avail_bytes{mountpoint=\"/\"}"), series.keySet().toString());
        assertTrue(((Map<String, Object>) master.get("host")).containsKey("vcpus"), master.toString());

        // the service killed: restarted after a 1 s backoff, long enough for samples to see it gone
        long pid = ((Number) serviceStatus(admin).get("pid")).longValue();
        Instant killed = Instant.now();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Map<String, Object> down = awaitSample("sleeper not RUNNING", s -> !"RUNNING".equals(services(s).get("sleeper"))
                && Instant.parse((String) s.get("time")).isAfter(killed));
        awaitSample("sleeper RUNNING again", s -> "RUNNING".equals(services(s).get("sleeper"))
                && (long) seq(s) > seq(down));

        // the tracked check goes down: FAULT
        Instant closed = Instant.now();
        tracked.close();
        awaitSample("vip FAULT", s -> "FAULT".equals(vrrp(s).get("state"))
                && Instant.parse((String) s.get("time")).isAfter(closed));

        // drained and undrained through the admin API
        assertEquals(200, call(admin, "POST", "/node/drain?reason=load+test").statusCode());
        Map<String, Object> draining = awaitSample("draining", s -> "draining".equals(ha(s).get("lifecycle")));
        assertEquals(200, call(admin, "POST", "/node/undrain?reason=load+test").statusCode());
        awaitSample("in service again", s -> "in_service".equals(ha(s).get("lifecycle")) && seq(s) > seq(draining));
        assertEquals(409, call(admin, "POST", "/node/undrain").statusCode(), "not drained any more");

        // a reload that changes scaler.push starts a new pusher; seq goes on counting (checked below)
        Path cfg = dir.resolve("haagent.yaml");
        Files.writeString(cfg, Files.readString(cfg).replace("interval: 200ms\n    role: web",
                "interval: 150ms\n    role: web"));
        HttpResponse<String> reloaded = call(admin, "POST", "/reload");
        assertEquals(200, reloaded.statusCode(), reloaded.body());
        assertTrue(reloaded.body().contains("scaler.push changed"), reloaded.body());
        long before = seq(samples.getLast());
        awaitSample("samples after the reload", s -> seq(s) > before + 3);

        // every sample arrived once, in order, numbered from 1 (the sink never failed)
        List<Long> seqs = samples.stream().map(LoadPushDaemonTest::seq).toList();
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1L, seqs.get(i), "seq " + seqs);
        }

        // GET /load: the latest document, the one the sink got or the next
        HttpResponse<String> load = call(admin, "GET", "/load");
        assertEquals(200, load.statusCode(), load.body());
        Map<String, Object> doc = (Map<String, Object>) Json.read(load.body());
        assertTrue(seq(doc) >= seqs.getLast(), doc.get("seq") + " vs " + seqs.getLast());
        assertEquals("web", doc.get("role"));
        String metrics = call(admin, "GET", "/metrics").body();
        assertTrue(metrics.contains("haagent_load_push_samples_total "), metrics);
        assertTrue(metrics.contains("haagent_load_push_dropped_total 0.0"), metrics);

        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
    }

    // --- the sink, the daemon ----------------------------------------------------------------------

    private void startSink() throws IOException {
        sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/v1/load", exchange -> {
            try (InputStream in = new GZIPInputStream(exchange.getRequestBody())) {
                @SuppressWarnings("unchecked")
                Map<String, Object> doc = (Map<String, Object>) Json.read(new String(in.readAllBytes(),
                        StandardCharsets.UTF_8));
                samples.add(doc);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        sink.start();
    }

    private Process haagent(int admin) throws IOException {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "tok\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path cfg = Files.writeString(dir.resolve("haagent.yaml"), """
                node:
                  name: loadtest
                  state_dir: %s
                  admin: { listen: "127.0.0.1:%d", token_file: %s }
                checks:
                  port: { type: tcp, address: "127.0.0.1:%d", interval: 200ms, timeout: 100ms, rise: 1, fall: 1 }
                services:
                  sleeper:
                    process: { command: ["sleep", "600"], stop_timeout: 2s, start_grace: 300ms }
                    restart: { backoff: { initial: 1s, max: 2s } }
                vrrp:
                  vip:
                    vrid: 77
                    priority: 100
                    advert_interval: 100ms
                    startup_delay: 300ms
                    version: 3
                    transport: udp
                    unicast: { source: 127.0.0.1, port: %d, peers: ["127.0.0.2:%d"] }
                    track: [ { check: port, weight: 0 } ]
                scaler:
                  push:
                    interval: 200ms
                    role: web
                    mounts: [/]
                    sink: { http: { url: "http://127.0.0.1:%d/v1/load", timeout: 150ms } }
                """.formatted(dir.resolve("state"), admin, token, tracked.getLocalPort(), freeUdpPort(), freeUdpPort(),
                sink.getAddress().getPort()));
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "io.haagent.agent.cli.Main", "run", "--config", cfg.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true"); // never ask 169.254.169.254 from a test
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private Map<String, Object> awaitSample(String what, Predicate<Map<String, Object>> ok) {
        return Eventually.get(WAIT, () -> "a sample with " + what + "; last: " + (samples.isEmpty() ? "none"
                : samples.getLast()) + "\nlog: " + log(), () -> samples.stream().filter(ok).findFirst());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> serviceStatus(int admin) throws Exception {
        Map<String, Object> status = (Map<String, Object>) Json.read(call(admin, "GET", "/status").body());
        return ((List<Map<String, Object>>) status.get("services")).getFirst();
    }

    private HttpResponse<String> call(int admin, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer tok")
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("stdout.log")) + Files.readString(dir.resolve("stderr.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ha(Map<String, Object> sample) {
        return Optional.ofNullable((Map<String, Object>) sample.get("ha")).orElse(Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> vrrp(Map<String, Object> sample) {
        Map<String, Object> all = (Map<String, Object>) ha(sample).getOrDefault("vrrp", Map.of());
        return (Map<String, Object>) all.getOrDefault("vip", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> services(Map<String, Object> sample) {
        return (Map<String, Object>) ha(sample).getOrDefault("services", Map.of());
    }

    private static long seq(Map<String, Object> sample) {
        return ((Number) sample.get("seq")).longValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
