package io.haagent.failover.redis;

import io.haagent.testkit.FreePorts;
import io.haagent.testkit.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@code redis-server} started with options on its command line only, so it has no config file
 * ({@code INFO server} shows {@code config_file:} empty) and {@code CONFIG REWRITE} fails — works
 * as root, where permissions would not stop a rewrite. Testkit's {@link RedisServer} always writes one.
 */
final class ConfiglessRedis implements AutoCloseable {
    final int port;
    private final Path dir;
    private final Process process;

    private ConfiglessRedis(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    static ConfiglessRedis start(String... options) throws IOException {
        RedisServer.assumeAvailable();
        String binary = System.getenv().getOrDefault("REDIS_SERVER", "redis-server");
        Path dir = Files.createTempDirectory("haagent-redis-noconf-");
        int port = FreePorts.tcp();
        List<String> command = new ArrayList<>(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--logfile", dir.resolve("redis.log").toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        ConfiglessRedis server = new ConfiglessRedis(port, dir, process);
        try {
            Polling.await("redis-server without config file on port " + port + " answers PING", Duration.ofSeconds(10),
                    server::answersPing);
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    String info(String section) {
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            return jedis.info(section);
        }
    }

    private boolean answersPing() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited: " + tail());
        }
        try (Jedis jedis = new Jedis("127.0.0.1", port, 200)) {
            return "PONG".equals(jedis.ping());
        } catch (JedisException e) {
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
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
