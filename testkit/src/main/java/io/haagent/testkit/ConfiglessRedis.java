package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A {@code redis-server} started with options on its command line only, so it has no config file
 * ({@code INFO server} shows {@code config_file:} empty) and {@code CONFIG REWRITE} fails — works
 * as root, where permissions would not stop a rewrite. Testkit's {@link RedisServer} always writes one.
 */
public final class ConfiglessRedis implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final LocalProcess process;

    private ConfiglessRedis(int port, Path dir, LocalProcess process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** Starts one on 127.0.0.1 at a free port, with {@code options} added to its command line. */
    public static ConfiglessRedis start(String... options) throws IOException {
        RedisServer.assumeAvailable();
        String binary = RedisServer.binary().toString();
        Path dir = Files.createTempDirectory("haagent-redis-noconf-");
        int port = FreePorts.tcp();
        List<String> command = new ArrayList<>(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--logfile", dir.resolve("redis.log").toString()));
        command.addAll(List.of(options));
        LocalProcess process =
                new LocalProcess(() -> "redis-server without config file on port " + port, LocalProcess.Reach.PROCESS);
        ConfiglessRedis server = new ConfiglessRedis(port, dir, process);
        try {
            process.start(new ProcessBuilder(command).directory(dir.toFile()), dir.resolve("stdout.log"));
            process.awaitReady("answering PING", Duration.ofSeconds(10), server::answersPing, server::tail);
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** {@code INFO section}'s text. */
    public String info(String section) {
        try {
            return Resp.call("127.0.0.1", port, Optional.empty(), Duration.ofSeconds(5), "INFO", section);
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server on port " + port + ": INFO " + section + " failed", e);
        }
    }

    private boolean answersPing() {
        try {
            return "PONG".equals(Resp.call("127.0.0.1", port, Optional.empty(), Duration.ofMillis(200), "PING"));
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    private String tail() {
        try {
            return Files.readString(dir.resolve("stdout.log")) + Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
