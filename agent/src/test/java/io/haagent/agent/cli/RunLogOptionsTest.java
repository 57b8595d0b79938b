package io.haagent.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code haagent run --log-level / --log-format} and their variables, on a real daemon process. */
class RunLogOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private Process haagent(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "io.haagent.agent.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        b.environment().remove("HAAGENT_LOG_LEVEL");
        b.environment().remove("HAAGENT_LOG_FORMAT");
        b.environment().putAll(env);
        Process p = b.start();
        started.add(p);
        return p;
    }

    private Path config() throws IOException {
        int port = FreePorts.tcp();
        return Files.writeString(dir.resolve("haagent.yaml"), "node:\n  name: logs\n  state_dir: " + dir.resolve("state")
                + "\n  admin: { listen: \"127.0.0.1:" + port + "\" }\nchecks:\n  gone: { type: tcp, address: \"127.0.0.1:1\","
                + " interval: 1s, fall: 1 }\n");
    }

    private List<String> stdout() throws IOException {
        return Files.readAllLines(dir.resolve("stdout.log"));
    }

    @Test
    void logFormatJson_everyLineIsOneObject_theCheckFlipIncluded() throws Exception {
        haagent(Map.of(), "run", "--config", config().toString(), "--log-format=json", "--log-level", "debug");
        Eventually.within(Duration.ofSeconds(30), () -> "the check's flip in stdout: " + safeStdout(),
                () -> stdout().stream().anyMatch(l -> l.contains("check gone: UNKNOWN -> DOWN")));
        List<String> lines = stdout();
        assertTrue(lines.size() >= 3, "start, listening, the flip: " + lines);
        for (String line : lines) {
            JsonNode j = JSON.readTree(line); // throws on a line that is not one JSON object
            assertTrue(j.has("time") && j.has("level") && j.has("logger") && j.has("thread") && j.has("message"), line);
        }
        JsonNode flip = JSON.readTree(lines.stream().filter(l -> l.contains("check gone")).findFirst().orElseThrow());
        assertEquals("WARN", flip.get("level").asText());
        assertEquals("io.haagent.checker.CheckScheduler", flip.get("logger").asText());
    }

    @Test
    void theVariablesChooseWhenNoFlagDoes_andAFlagWins() throws Exception {
        haagent(Map.of("HAAGENT_LOG_FORMAT", "json", "HAAGENT_LOG_LEVEL", "debug"), "run", "--config",
                config().toString(), "--log-level", "warn");
        Eventually.within(Duration.ofSeconds(30), () -> "the check's WARN line in stdout: " + safeStdout(),
                () -> stdout().stream().anyMatch(l -> l.contains("\"WARN\"")));
        assertTrue(stdout().stream().noneMatch(l -> l.contains("\"INFO\"") || l.contains("\"DEBUG\"")),
                "--log-level warn wins over HAAGENT_LOG_LEVEL=debug: " + safeStdout());
    }

    @Test
    void anUnknownFormatOrLevel_isRefusedBeforeTheDaemonStarts_sayingWhatIsAllowed() throws Exception {
        Process p = haagent(Map.of(), "run", "--config", config().toString(), "--log-format", "xml");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertEquals("haagent run: --log-format 'xml' is no log format; use one of: plain, json",
                Files.readString(dir.resolve("stderr.log")).strip());

        Process q = haagent(Map.of("HAAGENT_LOG_LEVEL", "verbose"), "run", "--config", config().toString());
        assertTrue(q.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, q.exitValue());
        assertEquals("haagent run: HAAGENT_LOG_LEVEL 'verbose' is no log level; use one of: error, warn, info, debug,"
                + " trace", Files.readString(dir.resolve("stderr.log")).strip());
    }

    private String safeStdout() {
        try {
            return String.join("\n", stdout()) + "\nstderr: " + Files.readString(dir.resolve("stderr.log"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
