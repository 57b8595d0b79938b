package io.haagent.agent.cli;

import static io.haagent.agent.cli.AgentProcess.haagent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.cli.AgentProcess.Outcome;
import io.haagent.agent.json.Json;
import io.haagent.testkit.Eventually;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: a planned agent restart ({@code haagent ctl agent restart}, what {@code apt upgrade haagent} does) left
 * running nothing: the new agent killed what its predecessor left and started it again. Now the old agent exits 75
 * leaving the children running, and the next {@code haagent run} on the same state_dir adopts them, their output
 * still in their logs. Real {@code haagent run} processes, real children.
 */
class AgentRestartTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<AgentProcess> agents = new ArrayList<>();
    private final Set<Long> children = new HashSet<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int port;
    private Path config;

    @AfterEach
    void killLeftovers() {
        agents.forEach(AgentProcess::close);
        // the children outlive their first agent by design: not its descendants any more
        children.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    /**
     * A child that says every signal it gets in {@code signals}, and prints (then removes) {@code say-NAME} when the
     * test writes one: output the test controls, written whether an agent runs or not.
     */
    private String service(String name) {
        Path signals = dir.resolve("signals-" + name);
        Path say = dir.resolve("say-" + name);
        String script = "for s in TERM INT HUP QUIT USR1 USR2 PIPE; do trap \"echo $s >> " + signals + "; exit 0\" $s;"
                + " done; echo " + name + " up; while :; do if [ -f " + say + " ]; then cat " + say + "; rm " + say
                + "; fi; sleep 0.1; done";
        return "  " + name + ":\n    process: { command: [\"sh\", \"-c\", " + Json.write(script)
                + "], stop_timeout: 5s, start_grace: 1s }\n";
    }

    private Process agent(String log) throws Exception {
        AgentProcess p = AgentProcess.start(config, dir.resolve(log), dir.resolve(log + ".err"));
        agents.add(p);
        return p.process();
    }

    private void writeConfig() throws IOException {
        port = AgentProcess.freePort();
        Path token = Files.writeString(dir.resolve("admin.token"), "tok\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        config = Files.writeString(dir.resolve("haagent.yaml"), "node:\n  name: restart\n  state_dir: "
                + dir.resolve("state") + "\n  admin: { listen: \"127.0.0.1:" + port + "\", token_file: " + token
                + " }\nservices:\n" + service("app") + service("web"));
    }

    /** The services' pids once both run, from /status. */
    @SuppressWarnings("unchecked")
    private Map<String, Long> runningPids(String log) {
        Map<String, Long> pids = new java.util.TreeMap<>();
        Eventually.within(LIMIT, () -> "app and web RUNNING; log:\n" + read(log), () -> {
            pids.clear();
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
                for (Object o : (List<Object>) ((Map<String, Object>) Json.read(body)).get("services")) {
                    Map<String, Object> s = (Map<String, Object>) o;
                    if ("RUNNING".equals(s.get("state")) && s.get("pid") instanceof Number n) {
                        pids.put((String) s.get("name"), n.longValue());
                    }
                }
            } catch (IOException | RuntimeException notYet) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return pids.size() == 2;
        });
        children.addAll(pids.values());
        return Map.copyOf(pids);
    }

    private String read(String file) {
        try {
            Path f = file.startsWith("/") ? Path.of(file) : dir.resolve(file);
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private String stdout(String service) {
        return read(dir.resolve("state/logs/" + service + "/stdout.log").toString());
    }

    /** Has the child print {@code line} and waits until it did. */
    private void say(String service, String line) throws IOException {
        Files.writeString(dir.resolve("say-" + service), line + "\n");
        Eventually.within(LIMIT, () -> "'" + line + "' in " + service + "'s stdout.log:\n" + stdout(service),
                () -> stdout(service).contains(line + "\n"));
    }

    @Test
    void plannedRestart_leavesTheChildrenRunning_andTheNextAgentAdoptsThem_outputAndAll() throws Exception {
        writeConfig();
        Process first = agent("agent1.log");
        Map<String, Long> before = runningPids("agent1.log");
        say("app", "before the restart");

        Outcome restart = haagent("ctl", "--config", config.toString(), "agent", "restart", "--reason", "upgrade");
        assertEquals(new Outcome(0, "haagent ctl: restarting: the services' children stay running and the next"
                + " haagent adopts them\n", ""), restart);
        assertTrue(first.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS), "the agent exits; log:\n" + read("agent1.log"));
        assertEquals(75, first.exitValue(), "the status the unit maps to a restart");
        for (long pid : before.values()) {
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child " + pid + " outlived it");
        }
        say("app", "while no agent runs");
        say("web", "web while no agent runs");

        agent("agent2.log");
        assertEquals(before, runningPids("agent2.log"), "adopted, not restarted");
        String log = read("agent2.log");
        for (var e : before.entrySet()) {
            assertTrue(log.contains("service " + e.getKey() + ": adopted pid " + e.getValue() + " left running by a"
                    + " previous haagent instead of restarting it"), log);
        }
        say("app", "after the adoption");
        String app = stdout("app");
        assertEquals(1, app.split("app up\n", -1).length - 1, "started once: " + app);
        assertTrue(app.endsWith("before the restart\nwhile no agent runs\nafter the adoption\n"), app);
        assertFalse(Files.exists(dir.resolve("signals-app")), "app got " + read("signals-app"));
        assertFalse(Files.exists(dir.resolve("signals-web")), "web got " + read("signals-web"));

        Outcome tail = haagent("ctl", "--config", config.toString(), "tail", "app", "-n", "3");
        assertEquals(new Outcome(0, "before the restart\nwhile no agent runs\nafter the adoption\n", ""), tail);

        // an adopted child is the service's child: a restart stops it with its stop signal and starts another
        Outcome again = haagent("ctl", "--config", config.toString(), "restart", "app");
        assertEquals(0, again.status(), again.err());
        Eventually.within(LIMIT, "the adopted app to stop", () -> ProcessHandle.of(before.get("app"))
                .map(h -> !h.isAlive()).orElse(true));
        Map<String, Long> after = runningPids("agent2.log");
        assertNotEquals(before.get("app"), after.get("app"));
        assertEquals(before.get("web"), after.get("web"));
        assertEquals("TERM\n", read("signals-app"), "its stop_signal, once");
    }

    /** {@code systemctl stop haagent} (SIGTERM) still stops every child, an adopted one too. */
    @Test
    void sigterm_afterAnAdoption_stopsTheChildren() throws Exception {
        writeConfig();
        Process first = agent("agent1.log");
        Map<String, Long> before = runningPids("agent1.log");
        assertEquals(0, haagent("ctl", "--config", config.toString(), "agent", "restart").status());
        assertTrue(first.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS));
        Process second = agent("agent2.log");
        assertEquals(before, runningPids("agent2.log"));
        second.destroy(); // SIGTERM
        assertTrue(second.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS), "log:\n" + read("agent2.log"));
        assertEquals(143, second.exitValue(), "128 + SIGTERM, as ever");
        for (long pid : before.values()) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child " + pid + " stopped");
        }
        assertEquals("TERM\n", read("signals-app"));
        assertEquals("TERM\n", read("signals-web"));
    }
}
