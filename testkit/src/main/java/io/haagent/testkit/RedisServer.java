package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;


/**
 * A real {@code redis-server} process on a free 127.0.0.1 port, in its own temporary directory
 * with its own config file (so {@code CONFIG REWRITE} works, as it must on a promoted replica).
 *
 * <pre>{@code
 * try (RedisServer master = RedisServer.start();
 *      RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
 *     replica.awaitMasterLinkUp(Duration.ofSeconds(10));
 *     ...
 * }
 * }</pre>
 *
 * <p>Without {@code redis-server} on the PATH the calling test is skipped (JUnit assumption) with
 * the reason — except under CI ({@code CI=true}), where it fails: {@code .ci/run} installs it.
 * {@code REDIS_SERVER} may name the binary explicitly. {@link #close()} kills the process and
 * deletes the directory; a JVM shutdown hook kills servers a test forgot to close.
 */
public final class RedisServer implements AutoCloseable {
    private static final LocalProgram PROGRAM = new LocalProgram("redis-server", "REDIS_SERVER",
            "install it (apt-get install redis-server)",
            ".ci/run should have installed it (APT_PACKAGES has redis-server:redis-server)");
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path binary;
    private final Path dir;
    private final Path configFile;
    private final Path logFile;
    private final Optional<String> password;
    private int port;
    private final LocalProcess process =
            new LocalProcess(() -> "redis-server on port " + port, LocalProcess.Reach.PROCESS);

    private RedisServer(Path binary, Path dir, Optional<String> password) {
        this.binary = binary;
        this.dir = dir;
        this.configFile = dir.resolve("redis.conf");
        this.logFile = dir.resolve("redis.log");
        this.password = password;
    }

    /** A plain server: no password, no replication, no persistence. */
    public static RedisServer start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a {@code redis-server} binary can be found. */
    public static boolean available() {
        return PROGRAM.find().isPresent();
    }

    /**
     * Skips the calling test when there is no {@code redis-server}; fails instead under CI,
     * where a missing binary means the CI script is broken, not the machine.
     */
    public static void assumeAvailable() {
        PROGRAM.assumeAvailable();
    }

    /** The {@code redis-server} binary the servers run, for a test that has another program start it. */
    public static Path binary() {
        assumeAvailable();
        return PROGRAM.find().orElseThrow().toAbsolutePath();
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}. */
    public String address() {
        return HOST + ":" + port;
    }

    /** The server's working directory: config file, log, dump files. */
    public Path dir() {
        return dir;
    }

    /** The config file the server was started with; {@code CONFIG REWRITE} writes it. */
    public Path configFile() {
        return configFile;
    }

    /** The {@code requirepass} password, if set. */
    public Optional<String> password() {
        return password;
    }

    /** Whether the process is alive. */
    public boolean isRunning() {
        return process.isRunning();
    }

    /** The process id of the running server. */
    public long pid() {
        return process.pid();
    }

    /** SIGKILL, as a crash would: no shutdown save, no goodbye to replicas. Waits for the exit. */
    public void kill() {
        process.kill();
    }

    /** SIGTERM: an orderly shutdown. Waits for the exit (and kills after 10 s). */
    public void stop() {
        process.stop(STOP_GRACE);
    }

    /**
     * Starts the server again on the same port with the same directory and config file (as
     * {@code CONFIG REWRITE} may have left it), stopping it first if it runs. Waits until it
     * answers PING.
     */
    public synchronized void restart() {
        stop();
        launch();
        awaitReady();
    }

    /**
     * Sends one command and returns the reply as text: a status or bulk string as is, an integer
     * in decimal, an array's elements one per line, a nil as {@code null}. An error reply throws
     * {@link IllegalStateException} with Redis' message. Authenticates first when a password is set.
     */
    public String command(String... args) {
        try {
            return Resp.call(HOST, port, password, Duration.ofSeconds(5), args);
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server on port " + port + ": " + String.join(" ", args) + " failed", e);
        }
    }

    /** Waits until this replica reports {@code master_link_status:up}. */
    public void awaitMasterLinkUp(Duration timeout) {
        String[] info = {""};
        Eventually.within(timeout, () -> "redis-server on port " + port + " to link to its master:\n" + info[0], () -> {
            info[0] = command("INFO", "replication");
            return info[0].contains("master_link_status:up");
        });
    }

    /** The last lines of the server's log, for failure messages. */
    public String logTail() {
        return LocalProgram.tail(logFile);
    }

    /** Kills the server if it runs and deletes its directory. Safe to call twice. */
    @Override
    public void close() {
        kill();
        LocalProgram.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "redis-server " + address();
    }

    /** Options for {@link RedisServer}. */
    public static final class Builder {
        private String requirePass;
        private String masterAuth;
        private String replicaOf;
        private final List<String> extra = new ArrayList<>();

        private Builder() {}

        /** {@code requirepass}: clients must AUTH with this password. */
        public Builder requirePass(String password) {
            this.requirePass = password;
            return this;
        }

        /** {@code replicaof} the given server, with its password as {@code masterauth}. */
        public Builder replicaOf(RedisServer master) {
            this.replicaOf = master.host() + " " + master.port();
            master.password().ifPresent(p -> this.masterAuth = p);
            return this;
        }

        /** {@code replicaof host port}; the master need not exist (a replica with its link down). */
        public Builder replicaOf(String host, int port) {
            this.replicaOf = host + " " + port;
            return this;
        }

        /** {@code masterauth}: the password this replica gives its master. */
        public Builder masterAuth(String password) {
            this.masterAuth = password;
            return this;
        }

        /** Any other config directive, one line, e.g. {@code "replica-serve-stale-data no"}. */
        public Builder config(String directive) {
            extra.add(directive);
            return this;
        }

        /** Starts the server and waits until it answers PING; skips the test when there is no redis-server. */
        public RedisServer start() {
            assumeAvailable();
            Path binary = PROGRAM.find().orElseThrow();
            Path dir;
            try {
                dir = Files.createTempDirectory("haagent-redis-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a directory for redis-server", e);
            }
            RedisServer server = new RedisServer(binary, dir, Optional.ofNullable(requirePass));
            try {
                LocalProcess.startOnFreePort(port -> {
                    server.port = port;
                    server.writeConfig(this);
                    server.launch();
                    server.awaitReady();
                }, server::logTail, server::kill);
                return server;
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
        }
    }

    private void writeConfig(Builder b) {
        List<String> lines = new ArrayList<>();
        lines.add("# written by io.haagent.testkit.RedisServer; CONFIG REWRITE may change it");
        lines.add("bind " + HOST);
        lines.add("port " + port);
        lines.add("dir " + quote(dir.toString()));
        lines.add("logfile " + quote(logFile.toString()));
        lines.add("daemonize no");
        lines.add("save \"\"");
        lines.add("appendonly no");
        if (b.requirePass != null) {
            lines.add("requirepass " + quote(b.requirePass));
        }
        if (b.masterAuth != null) {
            lines.add("masterauth " + quote(b.masterAuth));
        }
        if (b.replicaOf != null) {
            lines.add("replicaof " + b.replicaOf);
        }
        lines.addAll(b.extra);
        try {
            Files.write(configFile, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
    }

    private void launch() {
        process.start(new ProcessBuilder(binary.toString(), configFile.toString()).directory(dir.toFile()),
                dir.resolve("stdout.log"));
    }

    private void awaitReady() {
        process.awaitReady("answering PING", READY_TIMEOUT, this::answersPing, () -> logTail() + stdoutTail());
    }

    /** Any reply counts: a replica may say MASTERDOWN, a server still loading says LOADING. */
    private boolean answersPing() {
        try {
            Resp.call(HOST, port, Optional.empty(), Duration.ofMillis(200), "PING");
            return true;
        } catch (IllegalStateException e) {
            return true; // an error reply is an answer
        } catch (IOException e) {
            return false;
        }
    }

    private String stdoutTail() {
        try {
            Path out = dir.resolve("stdout.log");
            return Files.exists(out) ? "\n" + Files.readString(out) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
