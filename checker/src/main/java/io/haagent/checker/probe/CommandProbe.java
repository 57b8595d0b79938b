package io.haagent.checker.probe;

import io.haagent.linux.SdNotify;
import io.haagent.config.CheckSpec;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code command}: up when the program exits 0. Its stdout and stderr (merged, truncated to
 * {@value #MAX_OUTPUT} bytes) go into the result; the reason is the exit code and the first line of
 * output. At the timeout the program and everything it started are killed (SIGKILL), and the reason
 * says so. No shell: the command is the program and its arguments.
 */
final class CommandProbe implements Probe {
    static final int MAX_OUTPUT = 4096;
    /** The probe kills at the timeout itself; this is only how long past it the scheduler-side backstop waits. */
    private static final Duration BACKSTOP = Duration.ofSeconds(1);
    private static final File NO_INPUT = new File("/dev/null");

    private final CheckSpec.Command spec;
    private final ProbeContext ctx;

    CommandProbe(CheckSpec.Command spec, ProbeContext ctx) {
        if (spec.command().isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.spec = spec;
        this.ctx = ctx;
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        long start = ctx.ticker().nanoTime();
        AtomicReference<Process> process = new AtomicReference<>();
        Duration timeout = spec.timing().timeout();
        return ctx.blocking(start, timeout, timeout.plus(BACKSTOP), () -> execute(start, process), () -> {
            Process p = process.get();
            if (p != null) {
                killTree(p);
            }
        });
    }

    private CheckResult execute(long start, AtomicReference<Process> holder) throws ProbeFailure, InterruptedException {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(spec.command())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
            SdNotify.scrub(pb.environment()); // systemd's socket and watchdog are the daemon's, not its checks'
            p = pb.start();
        } catch (IOException e) {
            throw new ProbeFailure("cannot run " + spec.command().getFirst() + ": " + startError(e), e);
        }
        holder.set(p);
        Capture capture = new Capture(p.getInputStream());
        Thread reader = Thread.ofVirtual().name("haagent-command-output").start(capture);
        long timeoutNanos = spec.timing().timeout().toNanos();
        boolean exited = p.waitFor(remaining(start, timeoutNanos), TimeUnit.NANOSECONDS);
        if (!exited) {
            killTree(p);
            p.waitFor(1, TimeUnit.SECONDS);
        }
        // A program may leave a child holding the pipe open: read until the deadline, no longer.
        reader.join(Duration.ofNanos(Math.max(remaining(start, timeoutNanos), TimeUnit.MILLISECONDS.toNanos(100))));
        if (reader.isAlive()) {
            capture.close();
            reader.join(Duration.ofMillis(100));
        }
        String output = capture.text();
        String first = Reasons.firstLine(output);
        String suffix = first.isEmpty() ? "" : ": " + first;
        Duration took = ctx.since(start);
        if (!exited) {
            return CheckResult.down(Reasons.timedOut(spec.timing().timeout()) + ", killed" + suffix, took).withOutput(output);
        }
        int code = p.exitValue();
        CheckResult r = code == 0 ? CheckResult.up("exit 0" + suffix, took) : CheckResult.down("exit " + code + suffix, took);
        return r.withOutput(output);
    }

    private long remaining(long start, long timeoutNanos) {
        return Math.max(0, start + timeoutNanos - ctx.ticker().nanoTime());
    }

    /** Children first: once the parent is dead they are re-parented and no longer its descendants. */
    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /**
     * The OS's words from the JDK's message: "Cannot run program "/x": error=2, No such file or
     * directory" (older JDKs) or "...: Exec failed, error: 2 (No such file or directory)" (JDK 25).
     */
    private static String startError(IOException e) {
        String m = String.valueOf(e.getMessage()).strip();
        int open = m.lastIndexOf(" (");
        if (m.endsWith(")") && open >= 0) {
            return m.substring(open + 2, m.length() - 1);
        }
        int at = m.indexOf("error=");
        int comma = at < 0 ? -1 : m.indexOf(", ", at);
        if (comma >= 0) {
            return m.substring(comma + 2);
        }
        return e.getCause() != null ? String.valueOf(e.getCause().getMessage()) : m;
    }

    /** Keeps the first {@value #MAX_OUTPUT} bytes and drains the rest, so the program never blocks on a full pipe. */
    private static final class Capture implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long total;

        Capture(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (this) {
                        int room = MAX_OUTPUT - kept.size();
                        if (room > 0) {
                            kept.write(buf, 0, Math.min(room, n));
                        }
                        total += n;
                    }
                }
            } catch (IOException e) {
                // closed at the deadline: what was read so far is the output
            }
        }

        void close() {
            try {
                in.close();
            } catch (IOException e) {
                // nothing more to read either way
            }
        }

        synchronized String text() {
            String s = kept.toString(StandardCharsets.UTF_8);
            long more = total - kept.size();
            return more > 0 ? s + "\n... (" + more + " more bytes)" : s;
        }
    }
}
