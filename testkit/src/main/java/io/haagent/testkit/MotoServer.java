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

    private final Path binary;
    private final Path dir;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int port;
    // The tree: the pyenv shim execs, so usually there are no children, but a wrapper script may fork.
    private final LocalProcess process =
            new LocalProcess(() -> "moto_server on port " + port, LocalProcess.Reach.TREE);

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
        try {
            LocalProcess.startOnFreePort(port -> {
                server.port = port;
                server.launch();
                server.awaitReady();
            }, server::logTail, server.process::kill);
            return server;
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
    public boolean isRunning() {
        return process.isRunning();
    }

    /** The process id of the running server. */
    public long pid() {
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
        process.kill();
        LocalProgram.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "moto_server " + endpoint();
    }

    private void launch() {
        process.start(new ProcessBuilder(binary.toString(), "-H", HOST, "-p", Integer.toString(port))
                .directory(dir.toFile()), logFile);
    }

    private void awaitReady() {
        process.awaitReady("answering HTTP", READY_TIMEOUT, this::answersHttp, this::logTail);
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
