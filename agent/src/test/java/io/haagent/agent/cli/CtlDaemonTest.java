package io.haagent.agent.cli;

import static io.haagent.agent.cli.AgentProcess.haagent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.cli.AgentProcess.Outcome;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code haagent ctl} and the admin routes it uses, against {@code haagent run} as a real process with real children. */
class CtlDaemonTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<AgentProcess> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int port;
    private Path config;

    @AfterEach
    void killLeftovers() {
        started.forEach(AgentProcess::close);
    }

    /** Starts {@code haagent run} with {@code services} and waits until its /status answers. */
    private void daemon(String services) throws Exception {
        port = AgentProcess.freePort();
        Path token = Files.writeString(dir.resolve("admin.token"), "tok\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        config = Files.writeString(dir.resolve("haagent.yaml"), "node:\n  name: ctl\n  state_dir: " + dir.resolve("state")
                + "\n  admin: { listen: \"127.0.0.1:" + port + "\", token_file: " + token + " }\n" + services);
        started.add(AgentProcess.start(config, dir.resolve("stdout.log"), dir.resolve("stderr.log")));
        awaitStatus("the daemon's /status", body -> true);
    }

    private String status() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String awaitStatus(String what, java.util.function.Predicate<String> ok) {
        String[] last = {""};
        Eventually.within(LIMIT, () -> what + "; last /status: " + last[0] + "\nlog: " + log(), () -> {
            try {
                last[0] = status();
            } catch (IOException notYet) {
                return false;
            }
            return ok.test(last[0]);
        });
        return last[0];
    }

    private void awaitLog(String text) {
        Eventually.within(LIMIT, () -> "'" + text + "' in the daemon's log:\n" + log(), () -> log().contains(text));
    }

    private String log() {
        return started.getLast().log();
    }

    private int post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer tok").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static final String SLEEPER = """
            services:
              app:
                process: { command: ["sleep", "600"], stop_timeout: 2s, start_grace: 1s }
            """;

    /** Issue 12: POST /services/NAME/resume and /node/resume dropped ?reason=; the log said "operator request". */
    @Test
    void resume_ofAServiceAndOfTheNode_saysTheOperatorsReason() throws Exception {
        daemon(SLEEPER);
        awaitStatus("app RUNNING", s -> s.contains("\"state\" : \"RUNNING\""));
        // Its reply said "app resumed" while the healer ignored it: the answer must be true.
        Outcome nothingToResume = haagent("ctl", "--config", config.toString(), "resume", "app");
        assertEquals(new Outcome(1, "", "haagent ctl: service app is neither paused nor FATAL (it is RUNNING); nothing"
                + " to resume\n"), nothingToResume);
        assertEquals(200, post("/services/app/pause?reason=deploy"));
        assertEquals(200, post("/services/app/resume?reason=deploy%20done"));
        awaitLog("service app: resumed because an operator resumed it: deploy done");
        assertEquals(200, post("/node/pause?reason=kernel"));
        assertEquals(200, post("/node/resume?reason=kernel%20updated"));
        awaitLog("node: resumed because kernel updated");
    }

    private static long pid(String status) {
        var m = java.util.regex.Pattern.compile("\"pid\" : (\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void ctl_stopsAChild_keepsItStopped_startsItAgain_andTailsItsOutput() throws Exception {
        daemon("""
                services:
                  app:
                    process: { command: ["sh", "-c", "echo hello from app; echo oops >&2; exec sleep 600"], stop_timeout: 2s, start_grace: 1s }
                    restart: { backoff: { initial: 100ms, max: 1s } }
                """);
        long first = pid(awaitStatus("app RUNNING", s -> s.contains("\"state\" : \"RUNNING\"")));

        Outcome stop = haagent("ctl", "--config", config.toString(), "stop", "app", "--reason", "disk swap");
        assertEquals(0, stop.status(), stop.err());
        assertEquals("haagent ctl: stop of app requested; it stays stopped until haagent ctl start app\n", stop.out());
        String stopped = awaitStatus("app STOPPED, its child gone", s -> s.contains("\"state\" : \"STOPPED\"")
                && s.contains("\"pid\" : null"));
        assertTrue(stopped.contains("\"reason\" : \"stopped by an operator: disk swap\""), stopped);
        Eventually.within(LIMIT, "pid " + first + " to exit", () -> ProcessHandle.of(first).map(h -> !h.isAlive()).orElse(true));
        awaitLog("service app: stopped because an operator asked: disk swap");
        Outcome again = haagent("ctl", "--config", config.toString(), "stop", "app");
        assertEquals(1, again.status(), "a second stop is refused");
        assertTrue(again.err().contains("service app is already stopped (disk swap); start it with haagent ctl start app"),
                again.err());
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(java.util.regex.Pattern.compile("(?m)^haagent_service_in_state\\{service=\"app\",state=\"STOPPED\"\\} 1(\\.0)?$").matcher(metrics).find(), metrics);
        assertEquals(-1, pid(status()), "nothing restarted it");

        Outcome start = haagent("ctl", "--config", config.toString(), "start", "app", "--reason", "swapped");
        assertEquals(0, start.status(), start.err());
        long second = pid(awaitStatus("app RUNNING again", s -> s.contains("\"state\" : \"RUNNING\"") && pid(s) > 0));
        assertTrue(second != first);
        Outcome notStopped = haagent("ctl", "--config", config.toString(), "start", "app");
        assertEquals(1, notStopped.status());
        assertTrue(notStopped.err().contains("was not stopped by an operator (it is RUNNING); to restart it: haagent ctl"
                + " restart app"), notStopped.err());

        Outcome tail = haagent("ctl", "--config", config.toString(), "tail", "app", "-n", "1");
        assertEquals(new Outcome(0, "hello from app\n", ""), tail, "the last line of stdout.log (two starts wrote it)");
        assertEquals(new Outcome(0, "oops\noops\n", ""), haagent("ctl", "--config", config.toString(), "tail", "app",
                "--stderr"));
        Outcome unknown = haagent("ctl", "--config", config.toString(), "tail", "nope");
        assertEquals(new Outcome(1, "", "haagent ctl: no service named 'nope'; services: app\n"), unknown);
    }

    @Test
    void ctl_stop_survivesAReload() throws Exception {
        daemon(SLEEPER);
        awaitStatus("app RUNNING", s -> s.contains("\"state\" : \"RUNNING\""));
        assertEquals(0, haagent("ctl", "--config", config.toString(), "stop", "app", "--reason", "hold").status());
        awaitStatus("app STOPPED", s -> s.contains("\"state\" : \"STOPPED\"") && s.contains("\"pid\" : null"));
        Files.writeString(config, Files.readString(config).replace("stop_timeout: 2s", "stop_timeout: 3s"));
        Outcome reload = haagent("reload", "--config", config.toString());
        assertEquals(0, reload.status(), reload.err());
        awaitLog("service app: its config changed; stays stopped (an operator stopped it: hold)");
        String s = status();
        assertTrue(s.contains("\"state\" : \"STOPPED\"") && s.contains("\"stopped\" : \"hold\""), s);
    }
}
