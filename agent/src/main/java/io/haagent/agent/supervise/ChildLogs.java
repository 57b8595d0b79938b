package io.haagent.agent.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The children's output: stdout and stderr go to {@code <state_dir>/logs/<service>/stdout.log} and
 * {@code stderr.log}, opened {@code O_APPEND} by the child itself rather than through pipes the agent reads. So a
 * child never blocks on the agent, its output survives an agent restart (a planned one leaves the children running,
 * and the next agent adopts them), and an adopted child's output lands where {@code haagent ctl tail} reads. A thread
 * of the agent's, off the heal loop, rotates the files by size every {@link #ROTATE_EVERY} ({@link RotatingLog}).
 */
final class ChildLogs implements AutoCloseable {
    // one logger for the supervisor's sentences, whichever class says them
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    /** How often the sizes are looked at: a file grows past its size by at most what a child writes meanwhile. */
    static final Duration ROTATE_EVERY = Duration.ofSeconds(1);

    private final Path root;
    private final long maxBytes;
    private final int keep;
    private final Map<String, Streams> open = new ConcurrentHashMap<>();
    /** The files whose rotation failed last time: warned once, not every second. */
    private final Set<Path> failing = ConcurrentHashMap.newKeySet();
    private final Thread rotator;

    /**
     * @param maxBytes size past which stdout.log / stderr.log are rotated
     * @param keep     rotated files kept per stream (.1 … .N)
     */
    ChildLogs(Path stateDir, long maxBytes, int keep) {
        this.root = stateDir.resolve("logs");
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.rotator = Thread.ofVirtual().name("child-log-rotation").start(this::rotateEverySecond);
    }

    /** One service's two logs. */
    record Streams(RotatingLog stdout, RotatingLog stderr) {
        /** The child writes its stdout and stderr straight to the files, appending. */
        ProcessBuilder redirect(ProcessBuilder pb) {
            return pb.redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.file().toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderr.file().toFile()));
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
     * The service's logs, rotated from now on; an adopted child's too, which a previous agent opened for it.
     *
     * @throws IOException when their directory cannot be made: the service cannot start
     */
    Streams of(String service) throws IOException {
        Streams streams = open.get(service);
        if (streams != null) {
            return streams;
        }
        Path dir = dir(service);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot start service " + service + ": cannot write its logs under " + dir + ": " + e,
                    e);
        }
        streams = new Streams(new RotatingLog(file(service, false), maxBytes, keep),
                new RotatingLog(file(service, true), maxBytes, keep));
        open.put(service, streams);
        return streams;
    }

    /** Rotates every log past its size once. */
    void rotateFull() {
        for (Map.Entry<String, Streams> e : open.entrySet()) {
            for (RotatingLog l : new RotatingLog[] {e.getValue().stdout(), e.getValue().stderr()}) {
                try {
                    l.rotateIfFull();
                    failing.remove(l.file());
                } catch (IOException ex) {
                    if (failing.add(l.file())) {
                        log.warn("service {}: cannot rotate {}: {}; it grows, and is tried again every second",
                                e.getKey(), l.file(), ex.toString());
                    }
                }
            }
        }
    }

    private void rotateEverySecond() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(ROTATE_EVERY);
                rotateFull();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Stops rotating; the children keep their files open and write on. */
    @Override
    public void close() {
        rotator.interrupt();
    }
}
