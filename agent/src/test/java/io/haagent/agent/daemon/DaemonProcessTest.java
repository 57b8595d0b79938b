package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.haagent.lint.ConfigFile;
import io.haagent.testkit.Eventually;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code haagent run} as a real process, driven over its admin HTTP API and with signals. */
class DaemonProcessTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // supervised children too, even on failure
            p.destroyForcibly();
        }
    }

    private Process haagent(String... args) throws IOException {
        return haagentWith(List.of(), args);
    }

    private Process haagentWith(List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.haagent.agent.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectOutput(dir.resolve("stdout.log").toFile()).redirectError(dir.resolve("stderr.log").toFile()).start();
        started.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private Path config(int port, String extra) throws IOException {
        Path token = dir.resolve("admin.token");
        if (!Files.exists(token)) {
            Files.writeString(token, "tok\n");
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        }
        return Files.writeString(dir.resolve("haagent.yaml"), "node:\n  name: e2e\n  state_dir: " + dir.resolve("state")
                + "\n  admin: { listen: \"127.0.0.1:" + port + "\", token_file: " + token + " }\n" + extra);
    }

    private HttpResponse<String> call(int port, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer tok").method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until the daemon answers as {@code ok} says; bounded, never a fixed sleep. */
    private HttpResponse<String> await(int port, String path, Predicate<HttpResponse<String>> ok) throws Exception {
        List<HttpResponse<String>> last = new ArrayList<>(1);
        return Eventually.get(Duration.ofSeconds(30), () -> "the daemon to answer as expected on " + path + "; last: "
                + (last.isEmpty() ? "nothing" : last.getFirst().body()) + "\nstderr: " + output("stderr.log")
                + "\nstdout: " + output("stdout.log"), () -> {
                    try {
                        last.clear();
                        last.add(call(port, "GET", path));
                        return Optional.of(last.getFirst()).filter(ok);
                    } catch (IOException notYet) {
                        return Optional.empty(); // not listening yet
                    }
                });
    }

    /** {@code /status} satisfies {@code ok} at every look for {@code how long}: what must not happen does not. */
    private void holdsFor(Duration howLong, int port, Predicate<String> ok, String otherwise) throws Exception {
        long until = System.nanoTime() + howLong.toNanos();
        while (System.nanoTime() < until) {
            String status = call(port, "GET", "/status").body();
            assertTrue(ok.test(status), () -> otherwise + ": " + status);
            Thread.sleep(100);
        }
    }

    private String output(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    @Test
    void run_servesStatus_refusesABrokenReload_appliesAGoodOne_stopsOnTerm() throws Exception {
        int port = freePort();
        Path cfg = config(port, "checks:\n  web: { type: tcp, address: \"127.0.0.1:1\" }\n");
        Process p = haagent("run", "--config", cfg.toString());

        var status = await(port, "/status", r -> r.statusCode() == 200);
        assertTrue(status.body().contains("\"node\" : \"e2e\""), status.body());
        assertTrue(Files.isDirectory(dir.resolve("state")), "state_dir is created");

        config(port, "checks:\n  web: { type: tcp, address: \"127.0.0.1:1\", rise: 0 }\n");
        var refused = call(port, "POST", "/reload");
        assertEquals(422, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("checks.web.rise: 0 is out of range; use 1-1000 [value.range]"), refused.body());

        config(port, "checks:\n  web: { type: tcp, address: \"127.0.0.1:1\" }\n  api: { type: tcp, address: \"127.0.0.1:2\" }\n");
        new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
        var metrics = await(port, "/metrics", r -> r.body().contains("haagent_config_reloads_total{result=\"ok\"} 1.0"));
        assertTrue(metrics.body().contains("haagent_config_reloads_total{result=\"failed\"} 1.0"), metrics.body());

        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
        String log = Files.readString(dir.resolve("stdout.log"));
        assertTrue(log.contains("reload: kept the running config because"), log);
        assertTrue(log.contains("reload: applied " + cfg + ": checks added api"), log);
        assertTrue(log.contains("haagent stopped"), log);
    }

    // Issue 12: /status and `haagent status` did not show the daemon's pid, when a pause ends, or that mail
    // fails to go out; the spool was no metric either.
    @Test
    void status_showsThePid_thePausesExpiry_andTheMailThatFails_andMetricsCountIt() throws Exception {
        int port = freePort();
        int smtp = freePort(); // nothing listens there: every send fails
        Path cfg = config(port, """
                checks:
                  shipped: { type: file_age, path: %s, max_age: 1h, interval: 200ms, timeout: 100ms, rise: 1, fall: 1 }
                notify:
                  mail:
                    smtp: { host: 127.0.0.1, port: %d, starttls: false }
                    from: haagent@e2e.example.com
                    to: [ops@example.com]
                """.formatted(dir.resolve("never-written"), smtp));
        Process p = haagent("run", "--config", cfg.toString());
        await(port, "/status", r -> r.statusCode() == 200);
        assertEquals(200, call(port, "POST", "/node/pause?reason=kernel-update&for=1h").statusCode());

        var status = await(port, "/status", r -> r.body().contains("\"last_failure\" : \""));
        assertTrue(status.body().contains("\"daemon_pid\" : " + p.pid() + ","), status.body());
        assertTrue(status.body().matches("(?s).*\"paused\" : \\{[^}]*\"reason\" : \"kernel-update\"[^}]*\"until\" : \"20.*"),
                status.body());
        var metrics = await(port, "/metrics", r -> r.body().contains("haagent_mail_pending 1.0"));
        assertTrue(metrics.body().matches("(?s).*\nhaagent_mail_send_failures_total [1-9].*"), metrics.body());

        Process cli = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "io.haagent.agent.cli.Main", "status", "--config", cfg.toString())
                .redirectErrorStream(true).start();
        started.add(cli);
        String out = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, cli.waitFor(), out);
        assertTrue(out.contains(", pid " + p.pid() + ","), out);
        assertTrue(java.util.regex.Pattern.compile("PAUSED: kernel-update until 20\\S+ \\(in (59m|1h)").matcher(out).find(), out);
        assertTrue(out.contains("mail: 1 pending; last failure: "), out);
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
    }

    // Issue 12: under nohup (SIGHUP ignored, which a child inherits) the JVM keeps the signal ignored and
    // installs no handler: kill -HUP does nothing. The daemon says so at start; POST /reload still works.
    @Test
    void run_withSighupIgnored_warnsThatOnlyHaagentReloadWorks_andHupDoesNotReload() throws Exception {
        int port = freePort();
        Path cfg = config(port, "checks:\n  web: { type: tcp, address: \"127.0.0.1:1\" }\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder("sh", "-c", "trap '' HUP; exec \"$0\" -cp \"$1\" io.haagent.agent.cli.Main run --config \"$2\"",
                java, System.getProperty("java.class.path"), cfg.toString())
                .redirectOutput(dir.resolve("stdout.log").toFile()).redirectError(dir.resolve("stderr.log").toFile()).start();
        started.add(p);
        await(port, "/status", r -> r.statusCode() == 200);
        String log = output("stdout.log");
        assertTrue(log.contains("WARN  SIGHUP is ignored (started under nohup?): kill -HUP does not reload;"
                + " reload with haagent reload or POST /reload"), log);

        config(port, "checks:\n  web: { type: tcp, address: \"127.0.0.1:1\" }\n  api: { type: tcp, address: \"127.0.0.1:2\" }\n");
        new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
        assertEquals(200, call(port, "POST", "/reload").statusCode()); // after the HUP: had it reloaded, this one was
        var metrics = await(port, "/metrics", r -> r.body().contains("haagent_config_reloads_total{result=\"ok\"} 1.0"));
        assertTrue(p.isAlive(), "SIGHUP did not kill it");
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM; " + metrics.statusCode());
    }

    // Issue 12: a check that no service uses could stay DOWN for minutes with a WARN line and a metric, and
    // nobody was told. It mails check_down with the host in the subject, and check_up when it comes back;
    // a check with notify: false is not mailed.
    @Test
    void checkGoesDown_mailsCheckDownWithTheHost_thenCheckUp_aSilentCheckIsNotMailed() throws Exception {
        int port = freePort();
        int smtp = freePort();
        GreenMail gm = new GreenMail(new ServerSetup(smtp, "127.0.0.1", "smtp"));
        gm.start();
        try {
            Path heartbeat = dir.resolve("heartbeat");
            Path cfg = config(port, """
                    checks:
                      shipped: { type: file_age, path: %s, max_age: 1h, interval: 200ms, timeout: 100ms, rise: 1, fall: 1 }
                      quiet: { type: file_age, path: %s, max_age: 1h, interval: 200ms, timeout: 100ms, notify: false }
                    notify:
                      mail:
                        smtp: { host: 127.0.0.1, port: %d, starttls: false }
                        from: haagent@e2e.example.com
                        to: [ops@example.com]
                    """.formatted(heartbeat, dir.resolve("never-written"), smtp));
            Process p = haagent("run", "--config", cfg.toString());

            assertTrue(gm.waitForIncomingEmail(30_000, 1), "no check_down mail; stdout: " + output("stdout.log"));
            String down = gm.getReceivedMessages()[0].getSubject();
            assertTrue(down.startsWith("[haagent] e2e: check shipped DOWN for "), down);
            assertTrue(((String) gm.getReceivedMessages()[0].getContent()).contains("reason:"), down);

            Files.writeString(heartbeat, "alive\n");
            // the up mail may wait out the grouping window (10 s) the down mail opened
            assertTrue(gm.waitForIncomingEmail(30_000, 2), "no check_up mail; stdout: " + output("stdout.log"));
            String up = gm.getReceivedMessages()[1].getSubject();
            assertTrue(up.startsWith("[haagent] e2e: check shipped UP after "), up);
            for (var m : gm.getReceivedMessages()) {
                assertFalse(m.getSubject().contains("quiet") || ((String) m.getContent()).contains("quiet"),
                        "a notify: false check was mailed: " + m.getSubject());
            }
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
        } finally {
            gm.stop();
        }
    }

    @Test
    void supervisedChild_killed_isRestartedAtOnce_andShownInStatusAndMetrics() throws Exception {
        int port = freePort();
        Path cfg = config(port, """
                services:
                  sleeper:
                    process: { command: ["sleep", "600"], stop_timeout: 2s, start_grace: 1s }
                    restart: { backoff: { initial: 100ms, max: 1s } }
                """);
        Process p = haagent("run", "--config", cfg.toString());
        var running = await(port, "/status", r -> r.body().contains("\"state\" : \"RUNNING\""));
        long pid = pid(running.body());

        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        var restarted = await(port, "/status", r -> r.body().contains("\"state\" : \"RUNNING\"")
                && pid(r.body()) != pid && r.body().contains("\"restarts\" : 1"));
        assertTrue(ProcessHandle.of(pid(restarted.body())).map(ProcessHandle::isAlive).orElse(false));
        await(port, "/metrics", r -> r.body().contains("haagent_service_restarts_total{service=\"sleeper\"} 1.0"));

        long child = pid(restarted.body());
        // A reload that adds a check keeps the unchanged service and its child.
        config(port, """
                checks:
                  extra: { type: tcp, address: "127.0.0.1:1", interval: 1s }
                services:
                  sleeper:
                    process: { command: ["sleep", "600"], stop_timeout: 2s, start_grace: 1s }
                    restart: { backoff: { initial: 100ms, max: 1s } }
                """);
        var reloaded = call(port, "POST", "/reload");
        assertEquals(200, reloaded.statusCode(), reloaded.body());
        assertTrue(reloaded.body().contains("checks added extra"), reloaded.body());
        var after = await(port, "/status", r -> r.body().contains("\"name\" : \"extra\""));
        assertEquals(child, pid(after.body()), "the child survives a reload that did not change its service");

        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
        assertTrue(ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true), "the daemon stops its children");
        String log = Files.readString(dir.resolve("stdout.log"));
        assertTrue(log.contains("service sleeper"), log);
    }

    private static long pid(String statusJson) {
        var m = java.util.regex.Pattern.compile("\"pid\" : (\\d+)").matcher(statusJson);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void httpService_killed_isRestarted_andItsCheckComesBack() throws Exception {
        int port = freePort();
        int web = freePort();
        String jwebserver = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jwebserver").toString();
        Files.createDirectories(dir.resolve("www"));
        Path cfg = config(port, """
                checks:
                  web: { type: http, url: "http://127.0.0.1:%d/", interval: 200ms, timeout: 150ms, rise: 1, fall: 1 }
                services:
                  web:
                    checks: [web]
                    process: { command: ["%s", "-b", "127.0.0.1", "-p", "%d", "-d", "%s"], start_grace: 5s }
                    restart: { backoff: { initial: 100ms, max: 1s } }
                """.formatted(web, jwebserver, web, dir.resolve("www")));
        Process p = haagent("run", "--config", cfg.toString());
        var up = await(port, "/status", r -> r.body().contains("\"state\" : \"UP\"") && r.body().contains("\"state\" : \"RUNNING\""));
        long pid = pid(up.body());

        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        await(port, "/status", r -> r.body().contains("\"restarts\" : 1") && pid(r.body()) != pid && pid(r.body()) > 0
                && r.body().contains("\"state\" : \"UP\"") && r.body().contains("\"state\" : \"RUNNING\""));
        await(port, "/metrics", r -> r.body().contains("haagent_check_up{check=\"web\"} 1")
                && r.body().contains("haagent_check_duration_seconds_count{check=\"web\",result=\"up\",type=\"http\"}"));
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void crashLoop_backsOff_goesFatal_andEscalatesExactlyOnce() throws Exception {
        int port = freePort();
        Path marker = dir.resolve("escalations.txt");
        Path cfg = config(port, """
                services:
                  crasher:
                    process: { command: ["sh", "-c", "exit 3"], start_grace: 1s }
                    restart: { backoff: { initial: 50ms, max: 200ms }, max_restarts: 3, within: 1m }
                    escalate: { vm: { type: command, command: ["sh", "-c", "echo escalated >> %s"] } }
                """.formatted(marker));
        Process p = haagent("run", "--config", cfg.toString());
        await(port, "/status", r -> r.body().contains("\"state\" : \"FATAL\""));
        await(port, "/metrics", r -> r.body().contains("haagent_service_give_ups_total{service=\"crasher\"} 1.0")
                && r.body().contains("haagent_escalations_total{service=\"crasher\"} 1.0"));
        Eventually.within(Duration.ofSeconds(10), "the escalation's marker", () -> Files.exists(marker));
        // It stays FATAL: a second look at the metrics still shows one give-up and one escalation.
        var again = await(port, "/metrics", r -> true);
        assertTrue(again.body().contains("haagent_escalations_total{service=\"crasher\"} 1.0"), again.body());
        assertEquals(List.of("escalated"), Files.readAllLines(marker));
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String log = Files.readString(dir.resolve("stdout.log"));
        assertTrue(log.contains("service crasher: gave up"), log);
    }

    @Test
    void run_withTheAdminPortTaken_exits2_withoutStartingAnyChild() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path cfg = config(taken.getLocalPort(), """
                    services:
                      sleeper: { process: { command: ["sleep", "600"] } }
                    """);
            Process p = haagent("run", "--config", cfg.toString());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue());
            String err = Files.readString(dir.resolve("stderr.log"));
            assertTrue(err.contains("set node.admin.listen to another address"), err);
            assertTrue(!Files.exists(dir.resolve("state/logs/sleeper")), "no child was started");
        }
    }

    /**
     * Hostile run, fault 4: a restarted agent stopped the Redis "left running by a previous haagent" — the master
     * holding an acknowledged write — and the write was lost. The next agent adopts the child it finds running
     * instead (never two copies, and nothing restarted), and heals it like its own when it dies.
     */
    @Test
    void childLeftByAKilledAgent_isAdoptedByTheNextAgent_notRestarted_andHealedWhenItDies() throws Exception {
        int port = freePort();
        Path cfg = config(port, """
                services:
                  sleeper: { process: { command: ["sleep", "600"], start_grace: 1s } }
                """);
        Process first = haagent("run", "--config", cfg.toString());
        long orphan = pid(await(port, "/status", r -> pid(r.body()) > 0).body());
        long fresh = -1;
        try {
            first.destroyForcibly(); // kill -9 the agent: its child lives on in its own process group
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the child outlived its agent");

            Process second = haagent("run", "--config", cfg.toString());
            await(port, "/status", r -> r.body().contains("\"state\" : \"RUNNING\"") && pid(r.body()) == orphan);
            assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the adopted child still runs");
            String log = Files.readString(dir.resolve("stdout.log"));
            assertTrue(log.contains("service sleeper: adopted pid " + orphan + " left running by a previous haagent"), log);

            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly); // the adopted child dies: healed
            fresh = pid(await(port, "/status", r -> pid(r.body()) > 0 && pid(r.body()) != orphan).body());
            assertTrue(Files.readString(dir.resolve("stdout.log")).contains("process " + orphan + " exited"),
                    Files.readString(dir.resolve("stdout.log")));
            second.destroy(); // SIGTERM: the agent stops its own child
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            long f = fresh;
            assertTrue(ProcessHandle.of(f).map(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join())
                    .map(h -> !h.isAlive()).orElse(true), "the new child stopped with its agent");
        } finally {
            ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
            if (fresh > 0) {
                ProcessHandle.of(fresh).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * A drain outlives the agent. An operator drains a node for maintenance, then {@code apt upgrade haagent} restarts
     * the agent (ctl agent restart): the new agent did not know of the drain, so it took the MASTER role back after
     * 3 adverts of silence and healed again — a failover and restarts nobody asked for. It stays drained until undrain.
     */
    @Test
    void drain_outlivesAnAgentRestart_untilUndrain() throws Exception {
        int port = freePort();
        Path cfg = config(port, """
                vrrp:
                  vip:
                    vrid: 78
                    priority: 100
                    advert_interval: 100ms
                    version: 3
                    transport: udp
                    unicast: { source: 127.0.0.1, port: %d, peers: ["127.0.0.2:%d"] }
                """.formatted(freeUdpPort(), freeUdpPort()));
        Process first = haagent("run", "--config", cfg.toString());
        await(port, "/status", r -> r.body().contains("\"state\" : \"MASTER\""));
        assertEquals(200, call(port, "POST", "/node/drain?reason=kernel+patch").statusCode());
        await(port, "/status", r -> r.body().contains("\"state\" : \"BACKUP\""));
        assertEquals(200, call(port, "POST", "/agent/restart?reason=upgrade").statusCode());
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertEquals(75, first.exitValue());

        haagent("run", "--config", cfg.toString());
        String drained = await(port, "/status", r -> r.body().contains("\"state\" : \"BACKUP\"")).body();
        assertTrue(drained.contains("node drained by operator (reason kernel patch)"),
                "still drained, with the operator's reason: " + drained);
        assertTrue(await(port, "/status", r -> r.body().contains("drained: kernel patch")).statusCode() == 200,
                "healing paused as the drain paused it");
        // MASTER after 3 x 100 ms of silence + skew when not drained: 2 s of BACKUP is ten times that
        holdsFor(Duration.ofSeconds(2), port, status -> !status.contains("\"state\" : \"MASTER\""),
                "a drained node took MASTER");
        assertTrue(output("stdout.log").contains("still drained"), output("stdout.log"));

        assertEquals(200, call(port, "POST", "/node/undrain?reason=done").statusCode());
        await(port, "/status", r -> r.body().contains("\"state\" : \"MASTER\""));
        assertFalse(Files.exists(dir.resolve("state").resolve("drained")), "undrain forgets it");
    }

    /**
     * {@code ctl stop} says "it stays stopped until haagent ctl start": also across an agent restart. The next agent
     * (an upgrade's planned restart) started the service an operator had stopped for maintenance.
     */
    @Test
    void operatorStop_outlivesAnAgentRestart_untilStart() throws Exception {
        int port = freePort();
        Path cfg = config(port, """
                services:
                  web: { process: { command: ["sleep", "600"], start_grace: 300ms } }
                """);
        Process first = haagent("run", "--config", cfg.toString());
        await(port, "/status", r -> pid(r.body()) > 0);
        assertEquals(200, call(port, "POST", "/services/web/stop?reason=maintenance").statusCode());
        await(port, "/status", r -> r.body().contains("\"stopped\" : \"maintenance\"") && r.body().contains("\"pid\" : null"));
        assertEquals(200, call(port, "POST", "/agent/restart?reason=upgrade").statusCode());
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        haagent("run", "--config", cfg.toString());
        String stopped = await(port, "/status", r -> r.body().contains("\"services\"")).body();
        assertTrue(stopped.contains("\"stopped\" : \"maintenance\""), "still stopped, with the reason: " + stopped);
        // a start would show within its first round; 2 s is many rounds
        holdsFor(Duration.ofSeconds(2), port, status -> status.contains("\"pid\" : null"),
                "the next agent started what an operator stopped");
        assertTrue(output("stdout.log").contains("still stopped by an operator"), output("stdout.log"));

        assertEquals(200, call(port, "POST", "/services/web/start?reason=done").statusCode());
        await(port, "/status", r -> pid(r.body()) > 0);
        assertFalse(Files.exists(dir.resolve("state/run/web.stopped")), "a start forgets the stop");
    }

    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Test
    void run_withABrokenConfig_refusesToStart_andSaysWhy() throws Exception {
        Path cfg = config(freePort(), "vrrp:\n  vip: { vrid: 300, unicast: { source: 127.0.0.1, peers: [127.0.0.2] } }\n");
        Process p = haagent("run", "--config", cfg.toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        String err = Files.readString(dir.resolve("stderr.log"));
        assertTrue(err.contains("haagent run: refused to start: " + cfg + " has 1 error"), err);
        assertTrue(err.contains("vrrp.vip.vrid: 300 is out of range; use 1-255 [value.range]"), err);
    }

    /** {@code text} padded with a comment to one byte over the size a config may have. */
    private Path overTheLimit(Path file, String text) throws IOException {
        byte[] head = text.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[ConfigFile.MAX_BYTES + 1];
        java.util.Arrays.fill(all, (byte) '#');
        System.arraycopy(head, 0, all, 0, head.length);
        all[all.length - 1] = '\n';
        return Files.write(file, all);
    }

    @Test
    void run_withAConfigOverTheSizeLimit_exits2_withTheFinding_withinItsHeap() throws Exception {
        // Hostile run, issue 10 §3.6: a 50 MB config of comments made run die of an OutOfMemoryError in its 64 MiB heap.
        Path cfg = config(freePort(), "");
        overTheLimit(cfg, Files.readString(cfg));
        Process p = haagentWith(List.of("-Xmx64m"), "run", "--config", cfg.toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "refuses at once");
        String err = Files.readString(dir.resolve("stderr.log"));
        assertEquals(2, p.exitValue(), err);
        assertTrue(err.contains("haagent run: refused to start: " + cfg + " is too large to read"), err);
        assertTrue(err.contains(cfg + ":1:1: error: it is " + (ConfigFile.MAX_BYTES + 1) + " bytes, more than the 4194304 bytes"
                + " (4 MiB) a config may have"), err);
        assertTrue(err.contains("[config.too-large]"), err);
        assertTrue(!err.contains("OutOfMemoryError"), err);
    }

    @Test
    void run_withANonUtf8Config_saysSoInLintsWords() throws Exception {
        // Hostile run, issue 10 §3.7a: run said "Input length = 2" where lint says "not UTF-8 text".
        Path cfg = Files.write(dir.resolve("latin1.yaml"), "node: { name: caf\u00e9 }\n".getBytes(StandardCharsets.ISO_8859_1));
        Process p = haagent("run", "--config", cfg.toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("stderr.log"));
        assertEquals(2, p.exitValue(), err);
        assertEquals("haagent run: refused to start: cannot read " + cfg + ": not UTF-8 text\n", err);
    }

    @Test
    void reload_ofAFileTooLargeOrNotUtf8_isRefused_counted_mailed_andKeepsTheRunningConfig() throws Exception {
        // Hostile run, issue 10 §3.6 and §3.7a: POST /reload of a 50 MB config answered 500 and was neither counted
        // nor mailed; of a non-UTF-8 one, it said "Input length = 1".
        int port = freePort();
        int smtp = freePort(); // nothing listens: the mails stay in the spool, where the test reads them
        Path cfg = config(port, """
                checks:
                  web: { type: tcp, address: "127.0.0.1:1" }
                notify:
                  mail: { smtp: { host: 127.0.0.1, port: %d, starttls: false }, from: ha@example.com, to: [ops@example.com] }
                """.formatted(smtp));
        String running = Files.readString(cfg);
        Process p = haagent("run", "--config", cfg.toString());
        await(port, "/status", r -> r.body().contains("\"name\" : \"web\""));

        overTheLimit(cfg, running.replace("web:", "api:"));
        var tooLarge = call(port, "POST", "/reload");
        assertEquals(422, tooLarge.statusCode(), tooLarge.body());
        assertTrue(tooLarge.body().contains("kept the running config: " + cfg + " is too large to read"), tooLarge.body());
        assertTrue(tooLarge.body().contains("[config.too-large]"), tooLarge.body());

        Files.write(cfg, running.replace("web:", "caf\u00e9:").getBytes(StandardCharsets.ISO_8859_1));
        var latin1 = call(port, "POST", "/reload");
        assertEquals(422, latin1.statusCode(), latin1.body());
        assertTrue(latin1.body().contains("kept the running config: cannot read " + cfg + ": not UTF-8 text"), latin1.body());

        var metrics = call(port, "GET", "/metrics");
        assertTrue(metrics.body().contains("haagent_config_reloads_total{result=\"failed\"} 2.0"), metrics.body());
        var status = call(port, "GET", "/status");
        assertTrue(status.body().contains("\"name\" : \"web\""), "the running config stays: " + status.body());
        // The mailer spools on its own thread (submit only queues): wait for both, bounded.
        List<String> mailed = Eventually.get(Duration.ofSeconds(10), "two refused-reload mails spooled",
                () -> Optional.of(refusedReloadMails()).filter(m -> m.size() >= 2));
        assertEquals(List.of("not UTF-8", "too large"), mailed.stream().sorted().toList());
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    /** What the spool holds of "config reload refused" mails: "too large", "not UTF-8" or the whole text. */
    private List<String> refusedReloadMails() throws IOException {
        List<String> mailed = new ArrayList<>();
        try (var spool = Files.list(dir.resolve("state/mail"))) {
            for (Path m : spool.filter(f -> f.toString().endsWith(".mail")).toList()) {
                String text = Files.readString(m);
                if (text.contains("summary: config reload refused")) {
                    mailed.add(text.contains("too large") ? "too large" : text.contains("not UTF-8") ? "not UTF-8" : text);
                }
            }
        }
        return mailed;
    }
}
