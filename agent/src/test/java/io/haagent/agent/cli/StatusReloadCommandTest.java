package io.haagent.agent.cli;

import static io.haagent.agent.cli.AgentProcess.haagent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.cli.AgentProcess.Outcome;
import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.json.Json;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.HostPort;
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
                    public AdminServer.Reply resumeService(String s, String r) { return null; }
                    public AdminServer.Reply pauseNode(String r, Optional<Duration> e) { return null; }
                    public AdminServer.Reply resumeNode(String r) { return null; }
                    public AdminServer.Reply stopService(String s, String r) { return null; }
                    public AdminServer.Reply startService(String s, String r) { return null; }
                    public AdminServer.Reply serviceLog(String s, boolean e, int l, java.util.OptionalLong f) { return null; }

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
        // "3m" or, on a slow run, "3m1s": the table is as wide as its widest cell
        assertTrue(java.util.regex.Pattern.compile("web    http  DOWN   3m(\\ds)? +HTTP 503 in 12ms").matcher(r.out()).find(), r.out());
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

    @Test
    void reload_ofAFileWithASyntaxError_printsTheFinding_exits1() throws Exception {
        // Issue 12: it exited 2 saying there was no token file, because the broken file bound as empty.
        Path broken = Files.writeString(dir.resolve("broken.yaml"), Files.readString(config) + "checks: [unclosed\n");
        Outcome r = haagent("reload", "--config", broken.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith(broken + ":"), r.out());
        assertTrue(r.out().contains("[yaml.syntax]"), r.out());
        assertTrue(r.err().contains("not sent: " + broken + " has 1 error (above)"), r.err());
        assertTrue(!r.err().contains("token_file"), r.err());
    }

    @Test
    void status_ofAFileWithASyntaxError_cannotTellTheAddress_andSaysSo() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), Files.readString(config) + "checks: [unclosed\n");
        Outcome r = haagent("status", "--config", broken.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("[yaml.syntax]"), r.out());
        assertTrue(r.err().contains("pass --admin HOST:PORT"), r.err());
        assertEquals(0, haagent("status", "--config", broken.toString(), "--admin", "127.0.0.1:" + server.address().getPort())
                .status(), "--admin needs nothing from the file");
    }

    @Test
    void status_withAMissingConfig_saysSo_insteadOfGuessingTheDefaultAddress() {
        // Issue 12: it fell back to 127.0.0.1:9120 without a word.
        Path gone = dir.resolve("nonexistent.yaml");
        Outcome r = haagent("status", "--config", gone.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals("haagent status: cannot read " + gone + ": no such file; pass --config FILE, the file 'haagent run' "
                + "was started with, or --admin HOST:PORT\n", r.err());
        Outcome reload = haagent("reload", "--config", gone.toString(), "--admin", "127.0.0.1:" + server.address().getPort());
        assertEquals(2, reload.status());
        assertTrue(reload.err().contains("cannot read " + gone + ": no such file, which names the admin token"), reload.err());
    }

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private static String vrrpStatus(String rows) {
        return """
                { "node": "redis-a", "version": "haagent test", "since": "2026-01-01T11:00:00Z", "vrrp": [ %s ] }
                """.formatted(rows);
    }

    @Test
    void render_vrrpTable_namesTheMaster_andWhenEachPeerWasHeard() {
        String json = vrrpStatus("""
                { "name": "redis-vip", "state": "BACKUP", "running": true, "since": "2026-01-01T11:57:00Z",
                  "priority": 100, "configured_priority": 100, "master": "10.0.1.11", "event_id": "3f9k2m7q",
                  "drops": {}, "peers": [
                    { "address": "10.0.1.11", "last_heard": "2026-01-01T11:59:59.900Z", "priority": 150 },
                    { "address": "10.0.1.12", "last_heard": null, "priority": null } ] },
                { "name": "web-vip", "state": "MASTER", "running": true, "since": "2026-01-01T10:00:00Z",
                  "priority": 200, "configured_priority": 200, "master": "10.0.1.10",
                  "drops": {}, "peers": [ { "address": "10.0.1.11", "last_heard": null, "priority": null } ] }
                """);
        String out = StatusCommand.render(Json.read(json), NOW);
        assertEquals("""
                node redis-a (haagent test), running for 1h

                VRRP       STATE   SINCE  PRIORITY  MASTER     PEERS HEARD
                redis-vip  BACKUP  3m     100       10.0.1.11  10.0.1.11 0s ago (prio 150), 10.0.1.12 never
                web-vip    MASTER  2h     200       10.0.1.10  10.0.1.11 never
                """, out);
    }

    @Test
    void render_loadPush_oneLineWithTheLatestSample_andASinkThatFails() {
        String json = """
                { "node": "web-1", "version": "haagent test", "since": "2026-01-01T11:00:00Z",
                  "load_push": { "sink": "http http://127.0.0.1:9000/v1/load", "interval": "10s", "seq": 42,
                    "sampled": "2026-01-01T11:59:58Z", "last_success": "2026-01-01T11:59:30Z", "buffered": 3,
                    "failing": "connect", "lifecycle": "draining", "node_load1": "0.42",
                    "node_memory_MemAvailable_bytes": "2147483648", "node_memory_MemTotal_bytes": "4294967296" } }
                """;
        String out = StatusCommand.render(Json.read(json), NOW);
        assertEquals("""
                node web-1 (haagent test), running for 1h
                load: draining, load1 0.42, memory 2.0 of 4.0 GiB free; sample 42 to http http://127.0.0.1:9000/v1/load, \
                last sent 30s ago; FAILING (connect); 3 waiting
                """, out);
    }

    @Test
    void render_vrrpTable_showsDroppedAdverts_andAnInstanceThatDidNotStart() {
        String json = vrrpStatus("""
                { "name": "vip", "state": "MASTER", "running": true, "since": "2026-01-01T11:59:30Z",
                  "priority": 100, "master": "127.0.0.2",
                  "drops": { "bad_auth": 37, "not_a_peer": 0, "replayed": 2 },
                  "peers": [ { "address": "127.0.0.1", "last_heard": null, "priority": null } ] },
                { "name": "vip2", "state": "NOT_RUNNING", "running": false,
                  "error": "unicast.port 9112 on 127.0.0.1 is taken" }
                """);
        String out = StatusCommand.render(Json.read(json), NOW);
        assertTrue(out.contains("VRRP  STATE        SINCE  PRIORITY  MASTER     PEERS HEARD\n"), out);
        assertTrue(out.contains("vip   MASTER       30s    100       127.0.0.2  127.0.0.1 never; dropped 37 bad_auth, 2 replayed\n"),
                out);
        assertTrue(out.contains("vip2  NOT_RUNNING  -      -         -          not started: unicast.port 9112 on 127.0.0.1 is taken\n"),
                out);
    }

    // Issue 12: a drained node, and an instance a switchover stepped down, say so where an operator looks.
    @Test
    void render_drainedNode_saysSoOnTheNodeLine_andEachHeldInstanceInItsState() {
        String json = """
                { "node": "redis-a", "version": "haagent test", "since": "2026-01-01T11:00:00Z",
                  "drained": "node drained by operator (reason kernel)", "vrrp": [
                { "name": "redis-vip", "state": "BACKUP", "running": true, "since": "2026-01-01T11:57:00Z",
                  "priority": 150, "master": "10.0.1.11", "drops": {}, "peers": [],
                  "hold": { "kind": "DRAINED", "why": "node drained by operator (reason kernel)", "until": "node resume" } },
                { "name": "web-vip", "state": "BACKUP", "running": true, "since": "2026-01-01T11:57:00Z",
                  "priority": 200, "master": "10.0.1.11", "drops": {}, "peers": [],
                  "hold": { "kind": "STEPPED_DOWN", "why": "switchover", "until": "MASTER again" } } ] }
                """;
        String out = StatusCommand.render(Json.read(json), NOW);
        assertTrue(out.startsWith("node redis-a (haagent test), running for 1h; DRAINED: node drained by operator (reason kernel)"
                + " until node resume\n"), out);
        assertTrue(out.contains("redis-vip  BACKUP (drained)       3m     150       10.0.1.11  -\n"), out);
        assertTrue(out.contains("web-vip    BACKUP (stepped down)  3m     200       10.0.1.11  -\n"), out);
    }

    // Issue 14: an instance behind a ZooKeeper lease says what the lease does, where an operator looks.
    @Test
    void render_leasedInstances_sayTheirLeaseInTheirState() {
        String json = """
                { "node": "redis-b", "version": "haagent test", "since": "2026-01-01T11:00:00Z", "vrrp": [
                { "name": "a-vip", "state": "MASTER", "running": true, "since": "2026-01-01T11:57:00Z",
                  "priority": 150, "master": "10.0.1.10", "drops": {}, "peers": [],
                  "lease": { "phase": "HELD", "epoch": "0x2c", "waiting": null } },
                { "name": "b-vip", "state": "BACKUP", "running": true, "since": "2026-01-01T11:57:00Z",
                  "priority": 100, "master": null, "drops": {}, "peers": [],
                  "lease": { "phase": "ACQUIRING", "epoch": null, "waiting": "redis-a (session 0x1a)" } },
                { "name": "c-vip", "state": "MASTER", "running": true, "since": "2026-01-01T11:57:00Z",
                  "priority": 100, "master": "10.0.1.10", "drops": {}, "peers": [],
                  "lease": { "phase": "SUSPENDED", "epoch": "0x2d", "waiting": null } } ] }
                """;
        String out = StatusCommand.render(Json.read(json), NOW);
        assertTrue(out.contains("a-vip  MASTER (lease 0x2c)  "), out);
        assertTrue(out.contains("b-vip  BACKUP (waiting for the lease held by redis-a (session 0x1a))  "), out);
        assertTrue(out.contains("c-vip  MASTER (lease 0x2d SUSPENDED, writes paused)  "), out);
    }

    @Test
    void render_withoutVrrp_hasNoVrrpTable() {
        String out = StatusCommand.render(Json.read(vrrpStatus("")), NOW);
        assertEquals("node redis-a (haagent test), running for 1h\n", out);
    }

    @Test
    void status_printsTheVrrpTableFromTheDaemon() throws Exception {
        server.close();
        String since = Instant.now().minus(Duration.ofSeconds(5)).toString();
        server = AdminServer.start(new HostPort("127.0.0.1", 0), () -> Optional.of("t0ken"), metrics,
                () -> Map.of("node", "redis-b", "version", "haagent test", "since", since,
                        "vrrp", List.of(Map.of("name", "vip", "state", "BACKUP", "since", since, "priority", 100,
                                "master", "10.0.1.10", "drops", Map.of(),
                                "peers", List.of(java.util.Collections.singletonMap("address", "10.0.1.10"))))),
                null);
        Outcome r = haagent("status", "--admin", "127.0.0.1:" + server.address().getPort());
        assertEquals(0, r.status(), r.err());
        assertTrue(java.util.regex.Pattern.compile("VRRP  STATE   SINCE  PRIORITY  MASTER     PEERS HEARD\n"
                + "vip   BACKUP  [5-9]s     100       10\\.0\\.1\\.10  10\\.0\\.1\\.10 never\n").matcher(r.out()).find(), r.out());
    }
}
