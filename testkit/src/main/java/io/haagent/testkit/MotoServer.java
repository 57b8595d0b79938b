package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;


/**
 * A real {@code moto_server} process (moto's stand-alone AWS endpoint) on a free 127.0.0.1 port:
 * the EC2 API, with state, for the AWS SDK's happy paths. Point a client at {@link #endpoint()}
 * with any static credentials and any region (moto keeps one state per region).
 *
 * <pre>{@code
 * try (MotoServer moto = MotoServer.start()) {
 *     Ec2Client ec2 = Ec2Client.builder().endpointOverride(moto.endpoint()) ... .build();
 * }
 * }</pre>
 *
 * <p>Without {@code moto_server} on the PATH the calling test is skipped (JUnit assumption) with
 * the reason — except under CI ({@code CI=true}), where it fails: the machine image is expected to
 * have it (pip package {@code moto}; Debian has none). {@code MOTO_SERVER} may name the binary.
 * {@link #close()} kills the process and everything it started, and deletes its directory; a JVM
 * shutdown hook kills servers a test forgot to close.
 */
public final class MotoServer implements AutoCloseable {
    private static final LocalProgram PROGRAM = new LocalProgram("moto_server", "MOTO_SERVER",
            "install moto's server (pip install 'moto[server]')",
            "the machine image should have it (pip package moto, with its server extra), or .ci/run should provide it");
    private static final String HOST = "127.0.0.1";
    // Python imports all of moto before it binds: a few seconds warm, more on a cold disk cache.
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<MotoServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(MotoServer::kill), "moto-server-reaper"));
    }

    private final Path binary;
    private final Path dir;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int port;
    private Process process;

    private MotoServer(Path binary, Path dir) {
        this.binary = binary;
        this.dir = dir;
        this.logFile = dir.resolve("moto.log");
    }

    /** Whether a {@code moto_server} binary can be found. */
    public static boolean available() {
        return PROGRAM.find().isPresent();
    }

    /**
     * Skips the calling test when there is no {@code moto_server}; fails instead under CI, where a
     * missing binary means the machine or the CI script is broken.
     */
    public static void assumeAvailable() {
        PROGRAM.assumeAvailable();
    }

    /** Starts moto_server and waits until it answers HTTP; skips the test when there is no moto_server. */
    public static MotoServer start() {
        assumeAvailable();
        Path binary = PROGRAM.find().orElseThrow();
        Path dir;
        try {
            dir = Files.createTempDirectory("haagent-moto-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for moto_server", e);
        }
        MotoServer server = new MotoServer(binary, dir);
        LIVE.add(server);
        try {
            // Another process may take the free port before moto_server binds it: try another.
            for (int attempt = 1; ; attempt++) {
                server.port = FreePorts.tcp();
                server.launch();
                try {
                    server.awaitReady();
                    return server;
                } catch (IllegalStateException e) {
                    boolean portTaken = server.logTail().contains("Address already in use");
                    server.kill();
                    if (!portTaken || attempt == 3) {
                        throw e;
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}: the endpoint override for any AWS client. */
    public URI endpoint() {
        return URI.create("http://" + HOST + ":" + port);
    }

    /** Whether the process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The process id of the running server. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("moto_server on port " + port + " is not running");
        }
        return process.pid();
    }

    /** Forgets every resource of every service and region (moto's {@code POST /moto-api/reset}). */
    public void reset() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("moto_server on port " + port + ": reset answered " + r.statusCode()
                    + ": " + r.body());
        }
    }

    /** The last lines of the server's output, for failure messages. */
    public String logTail() {
        return LocalProgram.tail(logFile);
    }

    /** Kills the server and its children if it runs, and deletes its directory. Safe to call twice. */
    @Override
    public void close() {
        kill();
        LIVE.remove(this);
        LocalProgram.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "moto_server " + endpoint();
    }

    private synchronized void launch() {
        try {
            process = new ProcessBuilder(binary.toString(), "-H", HOST, "-p", Integer.toString(port))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    /** SIGKILL to the server and everything below it; waits for the exits. */
    private synchronized void kill() {
        if (process == null) {
            return;
        }
        // Collect the children first: once the parent is gone they are re-parented and out of reach.
        // (The pyenv shim execs, so usually there are none, but a wrapper script may fork.)
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                throw new IllegalStateException("moto_server process " + h.pid() + " did not exit within 10 s", e);
            }
        }
        process = null;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Process p;
            synchronized (this) {
                p = process;
            }
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException("moto_server on port " + port + " exited before answering HTTP; its output:\n"
                        + logTail());
            }
            if (answersHttp()) {
                return;
            }
            LocalProgram.pause(100, "moto_server");
        }
        throw new IllegalStateException("moto_server on port " + port + " did not answer HTTP within " + READY_TIMEOUT
                + "; its output:\n" + logTail());
    }

    /** Any HTTP answer counts; moto serves its dashboard API under /moto-api/. */
    private boolean answersHttp() {
        try {
            http.send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for moto_server", e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("moto_server on port " + port + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while talking to moto_server", e);
        }
    }
}
