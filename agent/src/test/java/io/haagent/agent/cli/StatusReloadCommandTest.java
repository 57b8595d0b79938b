package io.haagent.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code haagent status} and {@code haagent reload} against a real admin server. */
class StatusReloadCommandTest {
    @TempDir
    Path dir;

    private final AgentMetrics metrics = new AgentMetrics("Values: test");
    private final AtomicBoolean reloadAccepts = new AtomicBoolean();
    private AdminServer server;
    private Path config;

    private record Outcome(int status, String out, String err) {}

    private static Outcome haagent(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void start() throws Exception {
        Path token = Files.writeString(dir.resolve("admin.token"), "t0ken\n");
        String since = Instant.now().minus(Duration.ofMinutes(3)).toString();
        server = AdminServer.start(new HostPort("127.0.0.1", 0), () -> Optional.of("t0ken"), metrics,
                () -> Map.of("node", "redis-a", "version", "haagent test", "since", since,
                        "checks", List.of(Map.of("name", "web", "type", "http", "state", "DOWN", "since", since,
                                "reason", "HTTP 503 in 12ms")),
                        "services", List.of(Map.of("name", "app", "state", "BACKOFF", "restarts", 2, "reason", "check web DOWN"))),
                new AdminServer.Actions() {
                    public AdminServer.Reply restartService(String s, String r) { return null; }
                    public AdminServer.Reply pauseService(String s, String r, Optional<Duration> e) { return null; }
                    public AdminServer.Reply resumeService(String s) { return null; }
                    public AdminServer.Reply pauseNode(String r, Optional<Duration> e) { return null; }
                    public AdminServer.Reply resumeNode() { return null; }

                    public AdminServer.Reply reload() {
                        return reloadAccepts.get() ? AdminServer.Reply.ok("applied: 1 check added")
                                : new AdminServer.Reply(422, Map.of("ok", false, "message", "kept the running config: 1 error",
                                        "findings", List.of("/etc/haagent/haagent.yaml:3:9: error: bad [value.range]")));
                    }
                });
        config = Files.writeString(dir.resolve("haagent.yaml"), "node:\n  admin: { listen: \"127.0.0.1:"
                + server.address().getPort() + "\", token_file: " + token + " }\n");
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void status_printsTablesFromTheDaemon() {
        Outcome r = haagent("status", "--config", config.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("node redis-a (haagent test), running for 3m"), r.out());
        assertTrue(r.out().contains("CHECK  TYPE  STATE  SINCE  REASON"), r.out());
        assertTrue(r.out().contains("web    http  DOWN   3m     HTTP 503 in 12ms"), r.out());
        assertTrue(r.out().contains("app      BACKOFF  -      2         check web DOWN"), r.out());
        assertTrue(haagent("status", "--config", config.toString(), "--json").out().contains("\"node\" : \"redis-a\""));
    }

    @Test
    void reload_refused_printsTheFindings_exits1() {
        Outcome r = haagent("reload", "--config", config.toString());
        assertEquals(1, r.status());
        assertEquals("/etc/haagent/haagent.yaml:3:9: error: bad [value.range]\n", r.out());
        assertEquals("haagent reload: kept the running config: 1 error\n", r.err());
    }

    @Test
    void reload_applied_exits0() {
        reloadAccepts.set(true);
        Outcome r = haagent("reload", "--config", config.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("haagent reload: applied: 1 check added\n", r.out());
    }

    @Test
    void noDaemon_saysWhatToCheck_exits2() {
        int port = server.address().getPort();
        server.close();
        Outcome r = haagent("status", "--admin", "127.0.0.1:" + port);
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no daemon answers at 127.0.0.1:" + port + " (connection refused)"), r.err());
        server = AdminServer.start(new HostPort("127.0.0.1", 0), Optional::empty, metrics, Map::of, null);
    }

    @Test
    void reload_withoutTokenFileInConfig_explains() throws Exception {
        Path bare = Files.writeString(dir.resolve("bare.yaml"), "node:\n  admin: { listen: \"127.0.0.1:"
                + server.address().getPort() + "\" }\n");
        Outcome r = haagent("reload", "--config", bare.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no node.admin.token_file in the config"), r.err());
    }
}
