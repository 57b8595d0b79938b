package io.haagent.agent.cli;

import static io.haagent.agent.cli.AgentProcess.haagent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.cli.AgentProcess.Outcome;
import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.HostPort;
import io.haagent.testkit.Eventually;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: {@code haagent ctl}'s mapping onto the admin API, against the real admin server and recorded actions. */
class CtlCommandTest {
    @TempDir
    Path dir;

    private final AgentMetrics metrics = new AgentMetrics("Values: test");
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** What the fake child has written so far, served by serviceLog as a daemon would. */
    private final StringBuffer childLog = new StringBuffer("one\ntwo\nthree\n");
    private AdminServer server;
    private Path config;

    private Outcome ctl(String... args) {
        List<String> all = new ArrayList<>(List.of("ctl", "--config", config.toString()));
        all.addAll(List.of(args));
        return haagent(all.toArray(String[]::new));
    }

    private AdminServer.Reply known(String service, String call, String done) {
        calls.add(call);
        return service.equals("web") ? AdminServer.Reply.ok(done)
                : AdminServer.Reply.refused(404, "no service named '" + service + "'; services: web, db");
    }

    private final AdminServer.Actions actions = new AdminServer.Actions() {
        public AdminServer.Reply restartService(String s, String r) {
            return known(s, "restart " + s + " " + r, "restart of " + s + " requested");
        }

        public AdminServer.Reply pauseService(String s, String r, Optional<Duration> e) {
            return known(s, "pause " + s + " " + r + " " + e.map(Duration::toString).orElse("-"), s + " paused");
        }

        public AdminServer.Reply resumeService(String s, String r) {
            return known(s, "resume " + s + " " + r, s + " resumed");
        }

        public AdminServer.Reply stopService(String s, String r) {
            return known(s, "stop " + s + " " + r, "stop of " + s + " requested");
        }

        public AdminServer.Reply startService(String s, String r) {
            return known(s, "start " + s + " " + r, "start of " + s + " requested");
        }

        public AdminServer.Reply serviceLog(String s, boolean stderr, int lines, OptionalLong from) {
            calls.add("log " + s + (stderr ? " stderr " : " stdout ") + lines + " " + (from.isPresent() ? from.getAsLong() : "-"));
            String all = childLog.toString();
            String text = from.isPresent() ? all.substring((int) Math.min(from.getAsLong(), all.length()))
                    : String.join("", lastLines(all, lines));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ok", true);
            body.put("next", (long) all.length());
            body.put("text", text);
            return new AdminServer.Reply(200, body);
        }

        public AdminServer.Reply pauseNode(String r, Optional<Duration> e) {
            calls.add("pause-node " + r + " " + e.map(Duration::toString).orElse("-"));
            return AdminServer.Reply.ok("the node paused");
        }

        public AdminServer.Reply resumeNode(String r) {
            calls.add("resume-node " + r);
            return AdminServer.Reply.ok("the node resumed");
        }

        public AdminServer.Reply reload() {
            return AdminServer.Reply.ok("applied");
        }
    };

    private static List<String> lastLines(String all, int n) {
        List<String> lines = new ArrayList<>();
        for (String l : all.split("(?<=\n)")) {
            lines.add(l);
        }
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    @BeforeEach
    void start() throws Exception {
        Path token = Files.writeString(dir.resolve("admin.token"), "t0ken\n");
        server = AdminServer.start(new HostPort("127.0.0.1", 0), () -> Optional.of("t0ken"), metrics, Map::of, actions);
        config = Files.writeString(dir.resolve("haagent.yaml"), "node:\n  admin: { listen: \"127.0.0.1:"
                + server.address().getPort() + "\", token_file: " + token + " }\n");
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void eachSubcommand_isItsRequest_withReasonAndDuration_andPrintsTheAgentsMessage() {
        Outcome restart = ctl("restart", "web", "--reason", "new build");
        assertEquals(new Outcome(0, "haagent ctl: restart of web requested\n", ""), restart);
        assertEquals(0, ctl("stop", "web", "--reason=disk swap").status());
        assertEquals(0, ctl("start", "web").status());
        assertEquals(0, ctl("pause", "web", "--for", "30m", "--reason", "deploy").status());
        assertEquals(0, ctl("resume", "web", "--reason", "deploy done").status());
        assertEquals(0, ctl("node", "pause", "--reason", "kernel", "--for", "1h").status());
        assertEquals(new Outcome(0, "haagent ctl: the node resumed\n", ""), ctl("node", "resume", "--reason", "kernel done"));
        assertEquals(List.of("restart web new build", "stop web disk swap", "start web operator request",
                "pause web deploy PT30M", "resume web deploy done", "pause-node kernel PT1H", "resume-node kernel done"), calls);
    }

    @Test
    void switchoverAndDrain_reachTheirRoutes_andA501IsARefusal() {
        // The daemon's failover implements them; until then the admin server answers 501, which ctl exits 1 on.
        Outcome s = ctl("switchover", "redis-vip", "--reason", "patch", "--timeout", "5s");
        assertEquals(new Outcome(1, "", "haagent ctl: switchover is not available in this build\n"), s);
        Outcome d = ctl("node", "drain", "--reason", "patch");
        assertEquals(new Outcome(1, "", "haagent ctl: drain is not available in this build\n"), d);
    }

    @Test
    void switchoverAndDrain_passInstanceReasonAndTimeout() throws Exception {
        server.close();
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        AdminServer.Actions recording = new AdminServer.Actions() {
            public AdminServer.Reply restartService(String s, String r) { return null; }
            public AdminServer.Reply pauseService(String s, String r, Optional<Duration> e) { return null; }
            public AdminServer.Reply resumeService(String s, String r) { return null; }
            public AdminServer.Reply stopService(String s, String r) { return null; }
            public AdminServer.Reply startService(String s, String r) { return null; }
            public AdminServer.Reply serviceLog(String s, boolean e, int l, OptionalLong f) { return null; }
            public AdminServer.Reply pauseNode(String r, Optional<Duration> e) { return null; }
            public AdminServer.Reply resumeNode(String r) { return null; }
            public AdminServer.Reply reload() { return null; }

            @Override
            public AdminServer.Reply switchover(String instance, String reason, Optional<Duration> timeout) {
                seen.add("switchover " + instance + " " + reason + " " + timeout.map(Duration::toString).orElse("-"));
                return AdminServer.Reply.ok(instance + ": handed MASTER to 10.0.1.12");
            }

            @Override
            public AdminServer.Reply drainNode(String reason) {
                seen.add("drain " + reason);
                return AdminServer.Reply.ok("drained: no MASTER left here");
            }
        };
        server = AdminServer.start(new HostPort("127.0.0.1", 0), () -> Optional.of("t0ken"), metrics, Map::of, recording);
        String listen = "127.0.0.1:" + server.address().getPort();
        assertEquals(new Outcome(0, "haagent ctl: redis-vip: handed MASTER to 10.0.1.12\n", ""),
                ctl("--admin", listen, "switchover", "redis-vip", "--reason", "patch", "--timeout", "5s"));
        assertEquals(0, ctl("--admin", listen, "switchover", "redis-vip").status());
        assertEquals(0, ctl("--admin", listen, "node", "drain", "--reason", "patch tuesday").status());
        assertEquals(List.of("switchover redis-vip patch PT5S", "switchover redis-vip operator request -",
                "drain patch tuesday"), seen);
    }

    @Test
    void unknownService_isTheAgentsRefusal_exit1_namingTheServices() {
        Outcome r = ctl("restart", "wbe");
        assertEquals(new Outcome(1, "", "haagent ctl: no service named 'wbe'; services: web, db\n"), r);
    }

    @Test
    void tail_printsTheLastLines_andFollowsWhatComesAfter() throws Exception {
        assertEquals(new Outcome(0, "two\nthree\n", ""), ctl("tail", "web", "-n", "2"));
        assertEquals(List.of("log web stdout 2 -"), calls);
        calls.clear();
        assertEquals(0, ctl("tail", "web", "--stderr").status());
        assertEquals(List.of("log web stderr 50 -"), calls);

        var out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        int[] status = {-1};
        Thread follower = Thread.ofPlatform().start(() -> status[0] = Main.run(new String[] {"ctl", "--config",
                config.toString(), "tail", "web", "-f", "-n", "1"}, ps, ps));
        try {
            Eventually.within(Duration.ofSeconds(10), "the last line", () -> out.toString(StandardCharsets.UTF_8).equals("three\n"));
            childLog.append("four\n");
            Eventually.within(Duration.ofSeconds(10), () -> "the new line followed; got " + out, () ->
                    out.toString(StandardCharsets.UTF_8).equals("three\nfour\n"));
        } finally {
            follower.interrupt();
            follower.join(10_000);
        }
        assertEquals(0, status[0], "interrupted (Ctrl-C) ends a follow quietly");
        assertTrue(calls.contains("log web stdout 1 -") && calls.contains("log web stdout 50 14"), calls.toString());
    }

    @Test
    void wrongUsage_printsTheCtlUsage_exit2_andNothingIsSent() {
        for (String[] args : List.of(new String[] {}, new String[] {"restart"}, new String[] {"restart", "a", "b"},
                new String[] {"explode", "web"}, new String[] {"restart", "web", "--for", "30m"},
                new String[] {"pause", "web", "--for", "soon"}, new String[] {"node", "sleep"},
                new String[] {"tail", "web", "-n", "many"}, new String[] {"restart", "web", "--bogus"},
                new String[] {"restart", "web", "--reason"})) {
            Outcome r = ctl(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r);
            assertTrue(r.err().startsWith("haagent ctl: "), r.err());
            assertTrue(r.err().contains("usage: haagent ctl"), r.err());
        }
        assertTrue(ctl("pause", "web", "--for", "soon").err().contains("--for: 'soon' is not a duration"));
        assertEquals(List.of(), calls);
    }

    @Test
    void help_listsEverySubcommand_andHaagentHelpMentionsCtl() {
        Outcome help = haagent("ctl", "--help");
        assertEquals(0, help.status());
        for (String sub : List.of("restart SERVICE", "stop    SERVICE", "start   SERVICE", "pause   SERVICE",
                "resume  SERVICE", "node pause", "node resume", "node drain", "switchover INSTANCE", "tail SERVICE")) {
            assertTrue(help.out().contains(sub), sub + " in\n" + help.out());
        }
        assertTrue(haagent("--help").out().contains("ctl    [--config FILE]"), haagent("--help").out());
    }

    @Test
    void noTokenFile_saysHowToMakeOne_exit2() throws Exception {
        Path bare = Files.writeString(dir.resolve("bare.yaml"), "node:\n  admin: { listen: \"127.0.0.1:"
                + server.address().getPort() + "\" }\n");
        Outcome r = haagent("ctl", "--config", bare.toString(), "restart", "web");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no node.admin.token_file in the config " + bare), r.err());
        assertTrue(r.err().contains("mode 0600") && r.err().contains("restart the agent"), r.err());
        assertEquals(List.of(), calls);
    }

    @Test
    void unreadableOrEmptyTokenFile_saysSo_exit2() throws Exception {
        Path token = dir.resolve("missing.token");
        Path cfg = Files.writeString(dir.resolve("t.yaml"), "node:\n  admin: { listen: \"127.0.0.1:"
                + server.address().getPort() + "\", token_file: " + token + " }\n");
        Outcome missing = haagent("ctl", "--config", cfg.toString(), "stop", "web");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("cannot read the admin token " + token), missing.err());
        Files.writeString(token, "\n");
        Outcome empty = haagent("ctl", "--config", cfg.toString(), "stop", "web");
        assertEquals(2, empty.status());
        assertTrue(empty.err().contains("the admin token file " + token + " is empty"), empty.err());
    }

    @Test
    void agentNotRunning_asksWhetherItIs_exit2() {
        int port = server.address().getPort();
        server.close();
        Outcome r = ctl("restart", "web");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no daemon answers at 127.0.0.1:" + port + " (connection refused); is the agent"
                + " running? (systemctl status haagent)"), r.err());
        server = AdminServer.start(new HostPort("127.0.0.1", 0), Optional::empty, metrics, Map::of, actions);
    }

    @Test
    void wrongToken_isAConfigProblem_exit2() throws Exception {
        Files.writeString(dir.resolve("admin.token"), "other\n");
        Outcome r = ctl("restart", "web");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("needs 'Authorization: Bearer <token>'"), r.err());
    }
}
