package io.haagent.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own linter: {@code promtool check metrics}, what a scrape of {@code /metrics} must pass, and
 * {@code check rules} / {@code test rules}, what the shipped alert rules must pass. Without a
 * promtool binary the test is skipped with the reason — except under CI ({@code CI=true}), where it fails:
 * {@code .ci/run} installs it. {@code PROMTOOL} may name the binary.
 */
public final class Promtool {
    private static final LocalProgram PROGRAM = new LocalProgram("promtool", "PROMTOOL",
            "install it (apt-get install prometheus, which ships /usr/bin/promtool)",
            ".ci/run should have installed it (APT_PACKAGES has promtool:prometheus)");

    private Promtool() {}

    /**
     * The problems {@code promtool check metrics} finds in {@code exposition} (Prometheus text format 0.0.4), one
     * per line; empty when it passes. Skips the test (fails under CI) without promtool.
     */
    public static List<String> checkMetrics(String exposition) throws IOException, InterruptedException {
        PROGRAM.assumeAvailable();
        Path binary = PROGRAM.find().orElseThrow();
        Process p = new ProcessBuilder(binary.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool check metrics did not finish in 30 s");
        }
        List<String> problems = out.lines().filter(l -> !l.isBlank()).toList();
        if (p.exitValue() != 0 && problems.isEmpty()) {
            return List.of("promtool exited " + p.exitValue() + " without saying why");
        }
        return problems;
    }

    /** What a promtool run ended with: its exit code and everything it printed (stdout and stderr). */
    public record Run(int exitCode, String output) {}

    /**
     * {@code promtool ARGS...} in {@code dir} (rule files name their tests' files relative to it). Skips the test
     * (fails under CI) without promtool.
     */
    public static Run run(Path dir, String... args) throws IOException, InterruptedException {
        PROGRAM.assumeAvailable();
        List<String> command = new ArrayList<>();
        command.add(PROGRAM.find().orElseThrow().toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in 30 s");
        }
        return new Run(p.exitValue(), out);
    }
}
