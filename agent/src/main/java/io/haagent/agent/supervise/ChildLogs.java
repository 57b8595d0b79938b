package io.haagent.agent.supervise;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The children's output: stdout and stderr go to {@code <state_dir>/logs/<service>/stdout.log} and
 * {@code stderr.log}, rotated by size ({@link RotatingLog}), each pumped by a virtual thread: a child never blocks
 * on a full pipe.
 */
final class ChildLogs implements AutoCloseable {
    // one logger for the supervisor's sentences, whichever class says them
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final Path root;
    private final long maxBytes;
    private final int keep;
    private final Map<String, Streams> open = new ConcurrentHashMap<>();

    /**
     * @param maxBytes size at which stdout.log / stderr.log are rotated
     * @param keep     rotated files kept per stream (.1 … .N)
     */
    ChildLogs(Path stateDir, long maxBytes, int keep) {
        this.root = stateDir.resolve("logs");
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    /** One service's two logs. */
    record Streams(RotatingLog stdout, RotatingLog stderr) {
        /** Starts copying the child's output into the logs until its pipes close. */
        void pump(String service, Process p) {
            Thread.ofVirtual().name("pump-" + service + "-stdout")
                    .start(() -> ChildLogs.pump(service, p.getInputStream(), stdout));
            Thread.ofVirtual().name("pump-" + service + "-stderr")
                    .start(() -> ChildLogs.pump(service, p.getErrorStream(), stderr));
        }
    }

    /** {@code <state_dir>/logs/<service>}: where the child's stdout.log and stderr.log are. */
    Path dir(String service) {
        return root.resolve(service);
    }

    /** {@code stdout.log} or {@code stderr.log} of the service, the file being written (not a rotated one). */
    Path file(String service, boolean stderr) {
        return dir(service).resolve(stderr ? "stderr.log" : "stdout.log");
    }

    /**
     * The service's logs, opened on its first start and shared across restarts: a leftover writer never fights the
     * new child's over rotation.
     *
     * @throws IOException when they cannot be written: the service cannot start
     */
    Streams of(String service) throws IOException {
        Streams streams = open.get(service);
        if (streams != null) {
            return streams;
        }
        Path dir = dir(service);
        try {
            Files.createDirectories(dir);
            streams = new Streams(new RotatingLog(file(service, false), maxBytes, keep),
                    new RotatingLog(file(service, true), maxBytes, keep));
        } catch (IOException e) {
            throw new IOException("cannot start service " + service + ": cannot write its logs under " + dir + ": " + e,
                    e);
        }
        open.put(service, streams);
        return streams;
    }

    private static void pump(String service, InputStream in, RotatingLog out) {
        byte[] buf = new byte[8192];
        boolean warned = false;
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    if (!warned) { // keep draining: the child must never block on a full pipe
                        log.warn("service {}: cannot write its output, dropping it until the log works again: {}",
                                service, e.toString());
                        warned = true;
                    }
                }
            }
        } catch (IOException e) {
            // the pipe closed under us: the child and its group are gone
        }
    }

    @Override
    public void close() {
        for (Streams streams : open.values()) {
            for (RotatingLog l : new RotatingLog[] {streams.stdout(), streams.stderr()}) {
                try {
                    l.close();
                } catch (IOException e) {
                    log.warn("closing a child's log: {}", e.toString());
                }
            }
        }
    }
}
