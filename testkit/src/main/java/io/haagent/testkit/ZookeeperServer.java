package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real ZooKeeper server (Debian's {@code zookeeper} package, 3.8.0 on Debian 12) as its own process, standalone,
 * in its own temporary directory: on a free 127.0.0.1 port, or on port 2181 of every address of a {@link NetnsLab}
 * host, so that a partition of that host's network cuts the clients off the way a real one does. Curator's
 * in-process {@code TestingServer} cannot be put behind a partition: it shares the test JVM's network.
 *
 * <pre>{@code
 * ZookeeperServer.assumeAvailable();
 * try (ZookeeperServer zk = ZookeeperServer.startIn(lab.host(0))) {
 *     String connect = zk.connectString(); // "10.70.0.1:2181"
 * }
 * }</pre>
 *
 * <p>It ticks every 500 ms, so it grants session timeouts of 1 s to 10 s (ZooKeeper's 2 to 20 ticks): a test's
 * 6 s session is granted as asked. The four-letter words are off but for {@code srvr}, which ZooKeeper keeps
 * for its own scripts (and readiness uses); the admin HTTP server is off (it would take port 8080). The server runs on the
 * machine's {@code java} (17 on Debian 12 is what the package is built for; {@code ZOOKEEPER_JAVA} may name
 * another) with the package's jar ({@code ZOOKEEPER_JAR} may name another), and logs through slf4j-simple (a
 * dependency of the package's jar) to {@code zookeeper.log}.
 *
 * <p>Without the package the calling test is skipped with the reason — except under CI ({@code CI=true}), where
 * it fails: {@code .ci/run} installs it. {@link #close()} kills the server and deletes its directory; a JVM
 * shutdown hook kills a server a test forgot.
 */
public final class ZookeeperServer implements AutoCloseable {
    private static final String DEBIAN_JAR = "/usr/share/java/zookeeper.jar";
    private static final String SLF4J_SIMPLE = "/usr/share/java/slf4j-simple.jar";
    private static final LocalProgram JAVA = new LocalProgram("java", "ZOOKEEPER_JAVA",
            "install a JRE (apt-get install zookeeper brings one)",
            ".ci/run should have installed zookeeper, which brings a JRE");
    private static final String INSTALL_HINT = "install it (apt-get install zookeeper)";
    private static final String CI_HINT = ".ci/run should have installed it (APT_PACKAGES has " + DEBIAN_JAR
            + ":zookeeper)";
    /** ZooKeeper's tick; it bounds the session timeouts it grants to 2..20 ticks. */
    public static final Duration TICK = Duration.ofMillis(500);
    /** The port inside a lab host: the namespace is the test's own, so ZooKeeper's usual port is free. */
    private static final int LAB_PORT = 2181;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Path dir;
    private final Path configFile;
    private final Path logFile;
    private final Optional<NetnsLab.Host> host;
    private final String address;
    private int port;
    private final LocalProcess process;

    private ZookeeperServer(Path dir, Optional<NetnsLab.Host> host) {
        this.dir = dir;
        this.configFile = dir.resolve("zoo.cfg");
        this.logFile = dir.resolve("zookeeper.log");
        this.host = host;
        this.address = host.map(NetnsLab.Host::address).orElse("127.0.0.1");
        this.process = new LocalProcess(() -> "zookeeper on " + address + ":" + port
                + host.map(h -> " in " + h.namespace()).orElse(""), LocalProcess.Reach.PROCESS);
    }

    /**
     * Empty when a server can run here; else why not, and how to install it. Under CI ({@code CI=true}) a missing
     * package throws instead: {@code .ci/run} installs it.
     */
    public static Optional<String> unavailableReason() {
        Path jar = jar();
        if (!Files.isReadable(jar)) {
            String why = "there is no ZooKeeper server jar at " + jar + " (nor another named by ZOOKEEPER_JAR)";
            if (ci()) {
                throw new IllegalStateException(why + "; under CI=true this is an error: " + CI_HINT);
            }
            return Optional.of(why + "; " + INSTALL_HINT);
        }
        return JAVA.unavailableReason();
    }

    /** Skips the calling test when the package is missing; fails instead under CI. */
    public static void assumeAvailable() {
        unavailableReason().ifPresent(why -> org.junit.jupiter.api.Assumptions.abort(why + " to run this test"));
    }

    /** A server on a free 127.0.0.1 port; returns once the port accepts connections. */
    public static ZookeeperServer start() {
        ZookeeperServer s = create(Optional.empty());
        try {
            LocalProcess.startOnFreePort(port -> {
                s.port = port;
                s.writeConfig();
                s.launch();
                s.awaitReady();
            }, s::logTail, s::kill);
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /**
     * A server in {@code host}'s network namespace on port 2181 of all its addresses (its own {@code lo} and
     * {@code eth0}); returns once the port accepts connections there.
     */
    public static ZookeeperServer startIn(NetnsLab.Host host) {
        ZookeeperServer s = create(Optional.of(host));
        try {
            s.port = LAB_PORT;
            s.writeConfig();
            s.launch();
            s.awaitReady();
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    private static ZookeeperServer create(Optional<NetnsLab.Host> host) {
        assumeAvailable();
        try {
            return new ZookeeperServer(Files.createTempDirectory("haagent-zookeeper-"), host);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for zookeeper", e);
        }
    }

    /** {@code address:port}, as a client's connect string names one server. */
    public String connectString() {
        return address + ":" + port;
    }

    public int port() {
        return port;
    }

    /** Whether the process is alive. */
    public boolean isRunning() {
        return process.isRunning();
    }

    /** SIGKILL, as a crash would. Waits for the exit. */
    public void kill() {
        process.kill();
    }

    /** Starts the server again with the same directory (its sessions and nodes survive) and waits until it accepts. */
    public synchronized void restart() {
        process.stop(STOP_GRACE);
        launch();
        awaitReady();
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
        return "zookeeper " + connectString();
    }

    private void writeConfig() {
        List<String> lines = new ArrayList<>(List.of(
                "# written by io.haagent.testkit.ZookeeperServer",
                "tickTime=" + TICK.toMillis(),
                "dataDir=" + dir.resolve("data"),
                "clientPort=" + port,
                "minSessionTimeout=" + 2 * TICK.toMillis(),
                "maxSessionTimeout=" + 20 * TICK.toMillis(),
                "4lw.commands.whitelist=",
                "admin.enableServer=false"));
        if (host.isEmpty()) {
            lines.add("clientPortAddress=127.0.0.1");
        }
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.write(configFile, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
    }

    private void launch() {
        // A small heap and the client compiler: the server idles, and the tests that use it share two cores.
        String[] argv = {JAVA.find().orElseThrow().toString(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-cp", jar() + ":" + SLF4J_SIMPLE,
                "org.apache.zookeeper.server.ZooKeeperServerMain", configFile.toString()};
        ProcessBuilder pb = host.map(h -> h.command(argv)).orElseGet(() -> new ProcessBuilder(argv));
        // in a lab `ip netns exec` execs the JVM: the process started is the server itself
        process.start(pb.directory(dir.toFile()), logFile);
    }

    /**
     * Ready once it serves: its port accepts a moment before the server takes requests ("This ZooKeeper instance
     * is not currently serving requests"), so readiness is {@code srvr}, the one four-letter word left on,
     * naming its mode.
     */
    private void awaitReady() {
        if (host.isEmpty()) {
            process.awaitReady("serving", READY_TIMEOUT, () -> serves("127.0.0.1"), this::logTail);
            return;
        }
        // The port is inside the namespace: ask from a thread moved there.
        try (NetnsThread inside = NetnsThread.in(host.get())) {
            process.awaitReady("serving", READY_TIMEOUT, () -> inside.call(() -> serves("127.0.0.1")), this::logTail);
        }
    }

    private boolean serves(String ip) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 200);
            s.setSoTimeout(1000);
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("Mode: ");
        } catch (IOException e) {
            return false;
        }
    }

    private static Path jar() {
        String explicit = System.getenv("ZOOKEEPER_JAR");
        return Path.of(explicit != null && !explicit.isBlank() ? explicit : DEBIAN_JAR);
    }

    private static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
