package io.haagent.agent.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Test fixture for the CLI tests: {@code haagent run} as a real process (this JVM's java and class path), and the {@code haagent} CLI
 * run in-process. {@link #close()} kills the process and its descendants (supervised children), so a test that
 * closes it in {@code @AfterEach} leaves nothing behind even when it fails.
 */
final class AgentProcess implements AutoCloseable {
    /** What one in-process {@code haagent} command returned and printed. */
    record Outcome(int status, String out, String err) {}

    private final Process process;
    private final Path stdout;

    private AgentProcess(Process process, Path stdout) {
        this.process = process;
        this.stdout = stdout;
    }

    /** Starts {@code haagent run --config config}, its stdout to {@code stdout}, its stderr to {@code stderr}. */
    static AgentProcess start(Path config, Path stdout, Path stderr) throws IOException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "run", "--config", config.toString());
        return new AgentProcess(new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start(), stdout);
    }

    /** Runs {@code haagent args} in this JVM, as an operator's shell would, and captures what it printed. */
    static Outcome haagent(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A loopback port free right now, for an admin listen address. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    Process process() {
        return process;
    }

    /** The agent's stdout so far; a failure message, not an exception, when it cannot be read. */
    public String log() {
        try {
            return Files.readString(stdout);
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly); // supervised children too, even on failure
        process.destroyForcibly();
    }
}
