package io.haagent.agent.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private final AgentMetrics metrics = new AgentMetrics("Values: 0 test");
    private final AtomicReference<Optional<String>> token = new AtomicReference<>(Optional.empty());
    private final List<String> calls = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private AdminServer server;

    private final AdminServer.Actions actions = new AdminServer.Actions() {
        public AdminServer.Reply restartService(String service, String reason) {
            calls.add("restart " + service + " " + reason);
            return service.equals("web") ? AdminServer.Reply.ok("restarting web")
                    : AdminServer.Reply.refused(404, "no service " + service);
        }

        public AdminServer.Reply pauseService(String service, String reason, Optional<Duration> expiry) {
            calls.add("pause " + service + " " + reason + " " + expiry.map(Duration::toString).orElse("-"));
            return AdminServer.Reply.ok("paused");
        }

        public AdminServer.Reply resumeService(String service) {
            calls.add("resume " + service);
            return AdminServer.Reply.ok("resumed");
        }

        public AdminServer.Reply pauseNode(String reason, Optional<Duration> expiry) {
            calls.add("pause-node " + reason);
            return AdminServer.Reply.ok("node paused");
        }

        public AdminServer.Reply resumeNode() {
            calls.add("resume-node");
            return AdminServer.Reply.ok("node resumed");
        }

        public AdminServer.Reply reload() {
            calls.add("reload");
            return new AdminServer.Reply(422, Map.of("ok", false, "findings", List.of("x.yaml:1:1: error: bad [r]")));
        }
    };

    private void start() {
        server = AdminServer.start(new HostPort("127.0.0.1", 0), token::get, metrics,
                () -> Map.of("node", "test-node", "checks", List.of(Map.of("name", "web", "state", "UP"))), actions);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        metrics.close();
    }

    private HttpResponse<String> send(String method, String path, String bearer) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metrics_arePrometheusText_withHaagentNames() throws Exception {
        start();
        metrics.checkResult("web", "http", false, 12_000_000);
        metrics.checkState("web", false);
        metrics.restarted("app");
        metrics.reload(false, 3);
        var r = send("GET", "/metrics", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        for (String s : List.of("haagent_check_duration_seconds_count{check=\"web\",result=\"down\",type=\"http\"} 1",
                "haagent_check_up{check=\"web\"} 0", "haagent_service_restarts_total{service=\"app\"} 1.0",
                "haagent_config_reloads_total{result=\"failed\"} 1.0", "jvm_memory_used_bytes")) {
            assertTrue(r.body().contains(s), () -> "missing " + s + " in\n" + r.body());
        }
    }

    @Test
    void forget_removesTheMetersOfARemovedCheck() throws Exception {
        start();
        metrics.checkResult("gone", "tcp", true, 1_000_000);
        metrics.checkState("gone", true);
        metrics.forget("check", "gone");
        assertTrue(!send("GET", "/metrics", null).body().contains("check=\"gone\""));
    }

    @Test
    void status_isJson() throws Exception {
        start();
        var r = send("GET", "/status", null);
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        assertTrue(r.body().contains("\"node\" : \"test-node\""), r.body());
        assertEquals(404, send("GET", "/nope", null).statusCode());
    }

    @Test
    void post_withoutTokenFile_isRefused_andDoesNothing() throws Exception {
        start();
        var r = send("POST", "/services/web/restart", "anything");
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("node.admin.token_file is not configured"), r.body());
        assertEquals(List.of(), calls);
    }

    @Test
    void post_withWrongOrMissingToken_isUnauthorized() throws Exception {
        token.set(Optional.of("s3cret"));
        start();
        assertEquals(401, send("POST", "/reload", null).statusCode());
        assertEquals(401, send("POST", "/reload", "s3cre").statusCode());
        assertEquals(List.of(), calls);
    }

    @Test
    void post_withToken_reachesTheActions() throws Exception {
        token.set(Optional.of("s3cret"));
        start();
        assertEquals(200, send("POST", "/services/web/restart?reason=deploy", "s3cret").statusCode());
        assertEquals(404, send("POST", "/services/db/restart", "s3cret").statusCode());
        assertEquals(200, send("POST", "/services/web/pause?reason=upgrade&for=30m", "s3cret").statusCode());
        assertEquals(200, send("POST", "/services/web/resume", "s3cret").statusCode());
        assertEquals(200, send("POST", "/node/pause?reason=kernel", "s3cret").statusCode());
        assertEquals(200, send("POST", "/node/resume", "s3cret").statusCode());
        var reload = send("POST", "/reload", "s3cret");
        assertEquals(422, reload.statusCode());
        assertTrue(reload.body().contains("x.yaml:1:1: error: bad [r]"), reload.body());
        assertEquals(400, send("POST", "/services/web/pause?for=soon", "s3cret").statusCode());
        assertEquals(404, send("POST", "/services/web/explode", "s3cret").statusCode());
        assertEquals(List.of("restart web deploy", "restart db operator request", "pause web upgrade PT30M", "resume web",
                "pause-node kernel", "resume-node", "reload"), calls);
    }

    @Test
    void busyPort_failsWithWhatToChange() throws Exception {
        start();
        var e = assertThrows(IllegalStateException.class, () -> AdminServer.start(
                new HostPort("127.0.0.1", server.address().getPort()), token::get, metrics, Map::of, actions));
        assertTrue(e.getMessage().contains("set node.admin.listen"), e.getMessage());
    }
}
