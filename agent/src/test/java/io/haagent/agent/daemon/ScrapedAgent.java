package io.haagent.agent.daemon;

import io.haagent.testkit.Eventually;
import io.haagent.testkit.FreePorts;
import java.io.IOException;
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
import java.util.function.Predicate;

/**
 * A real {@code haagent run} in a child JVM, its admin server on a free loopback port, for the tests that scrape it
 * the way Prometheus does. {@link #close()} kills it and every child it started.
 */
final class ScrapedAgent implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The admin token, for the POSTs. */
    private static final String TOKEN = "tok";

    private final Path dir;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ScrapedAgent(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Runs the agent on {@code sections} (the config's {@code checks:}, {@code vrrp:}, {@code services:}, ...) under a
     * {@code node:} section this writes: its name, {@code dir/state} and the admin server with a token file.
     */
    static ScrapedAgent start(Path dir, String sections) throws IOException {
        int port = FreePorts.tcp();
        Path token = dir.resolve("admin.token");
        Files.writeString(token, TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path config = writeConfig(dir, port, sections);
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "io.haagent.agent.cli.Main", "run", "--config", config.toString()));
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile()).start();
        return new ScrapedAgent(dir, port, p);
    }

    /** Writes the config the agent reads at its next reload: the same {@code node:} section over new {@code sections}. */
    void rewrite(String sections) throws IOException {
        writeConfig(dir, port, sections);
    }

    private static Path writeConfig(Path dir, int port, String sections) throws IOException {
        return Files.writeString(dir.resolve("haagent.yaml"), """
                node:
                  name: scraped
                  state_dir: %s
                  admin: { listen: "127.0.0.1:%d", token_file: %s }
                %s""".formatted(dir.resolve("state"), port, dir.resolve("admin.token"), sections));
    }

    /** A POST to the admin server with the token, e.g. {@code /reload}. */
    HttpResponse<String> post(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + address() + path))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code 127.0.0.1:PORT}, the admin address a scraper targets. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** The agent's own process: its children (the supervised services) are below it. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** One GET /metrics; the text format. */
    String scrape() throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls /metrics until {@code ok}; bounded, never a fixed sleep. Fails with the last scrape and the log. */
    String await(String what, Predicate<String> ok) {
        List<String> last = new ArrayList<>(1);
        return Eventually.get(WAIT, () -> "/metrics to show " + what + "; last:\n"
                + (last.isEmpty() ? "nothing" : last.getFirst()) + "\nlog:\n" + log(), () -> {
                    try {
                        String body = scrape();
                        last.clear();
                        last.add(body);
                        return Optional.of(body).filter(ok);
                    } catch (IOException notYet) {
                        return Optional.empty();
                    }
                });
    }

    /** The agent's stdout and stderr, for failure messages. */
    String log() {
        try {
            return Files.readString(dir.resolve("stdout.log"), StandardCharsets.UTF_8)
                    + Files.readString(dir.resolve("stderr.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        // Children first: once the agent is gone they are re-parented and out of reach.
        List<ProcessHandle> below = process.descendants().toList();
        below.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            // bounded: a SIGKILL ends a process at once, unless the kernel is stuck
            process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            for (ProcessHandle h : below) {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the agent or a child of it did not exit", e);
        }
    }
}
