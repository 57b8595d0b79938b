package io.haagent.failover.vrrp.instance;

import io.haagent.linux.SdNotify;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one instance's notify hooks, keepalived's {@code notify} script, on a thread of its own: for each
 * transition, each hook in config order as {@code <hook> INSTANCE <name> <STATE> <priority>} (STATE is
 * keepalived's word: MASTER, BACKUP, FAULT, or STOP when the instance stops), one process at a time and in transition order, so a slow hook delays the next hook but never the
 * election. A hook past its timeout is killed with its whole process tree.
 */
final class HookQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.failover.vrrp");
    static final int OUTPUT_TAIL_BYTES = 4096;

    private final String instance;
    /** Replaced by a reload; a transition runs the hooks it was enqueued with. */
    private volatile List<List<String>> hooks;
    private volatile Duration timeout;
    private final ExecutorService thread;
    private final Say say;

    /** Where each hook's outcome sentence goes: the log in production, a queue in tests that wait on it. */
    @FunctionalInterface
    interface Say {
        Say LOG = (warn, sentence) -> {
            if (warn) {
                log.warn(sentence);
            } else {
                log.info(sentence);
            }
        };

        void sentence(boolean warn, String sentence);
    }

    HookQueue(String instance, List<String> hookLines, Duration timeout) {
        this(instance, hookLines, timeout, Say.LOG);
    }

    HookQueue(String instance, List<String> hookLines, Duration timeout, Say say) {
        this.instance = instance;
        this.say = say;
        this.hooks = programs(hookLines);
        this.timeout = timeout;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vrrp-" + instance + "-notify");
            t.setDaemon(true);
            return t;
        });
    }

    /** One program each, never split: the lint demands an absolute path, which may contain spaces. */
    private static List<List<String>> programs(List<String> hookLines) {
        return hookLines.stream().filter(l -> !l.isBlank()).map(List::of).toList();
    }

    /** A reload's hooks and timeout, for the transitions from now on; hooks queued already run as they were. */
    void reconfigure(List<String> hookLines, Duration newTimeout) {
        this.hooks = programs(hookLines);
        this.timeout = newTimeout;
    }

    /** The longest {@link #close} should wait for one transition's hooks. */
    Duration perTransition() {
        return timeout.multipliedBy(Math.max(1, hooks.size()));
    }

    /** Queues every hook for {@code e}; returns at once. */
    void enqueue(VrrpEvent e) {
        List<List<String>> now = hooks;
        if (now.isEmpty()) {
            return;
        }
        try {
            thread.execute(() -> {
                for (List<String> hook : now) {
                    if (Thread.currentThread().isInterrupted()) {
                        tell(true, e, "did not run notify hook " + hook.getFirst() + " for " + e.to()
                                + " because the instance stopped");
                        continue;
                    }
                    run(hook, e);
                }
            });
        } catch (RejectedExecutionException ex) {
            tell(true, e, "did not run the notify hooks for " + e.to() + " because the instance is stopping");
        }
    }

    private void run(List<String> hook, VrrpEvent e) {
        List<String> cmd = new ArrayList<>(hook);
        // keepalived's notify arguments: TYPE NAME STATE PRIORITY
        cmd.addAll(List.of("INSTANCE", instance, e.to().enteredAs(), Integer.toString(e.priority())));
        String what = "notify hook " + hook.getFirst() + " for " + e.to();
        Path out;
        try {
            // a file, not a pipe: a child the hook leaves behind cannot keep us reading forever
            out = Files.createTempFile("haagent-notify-", ".out");
        } catch (IOException ex) {
            tell(true, e, "did not run " + what + " because no temporary file for its output could be created: " + ex);
            return;
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
            Map<String, String> env = pb.environment();
            SdNotify.scrub(env); // systemd's socket and watchdog are the daemon's, not its hooks'
            env.put("HAAGENT_EVENT_ID", e.eventId());
            env.put("HAAGENT_INSTANCE", instance);
            env.put("HAAGENT_STATE", e.to().enteredAs());
            // the state left: INIT at the start, as the log's "INIT -> BACKUP" says, never a STOP that did not happen
            env.put("HAAGENT_PREVIOUS_STATE", e.from().name());
            env.put("HAAGENT_MASTER", e.master().map(Object::toString).orElse(""));
            env.put("HAAGENT_REASON", e.reason());
            Process p;
            try {
                p = pb.start();
            } catch (IOException ex) {
                tell(true, e, "could not start " + what + ": " + ex.getMessage()
                        + "; check that it exists and is executable");
                return;
            }
            p.getOutputStream().close(); // stdin closed: a hook that reads it gets EOF, not a hang
            long started = System.nanoTime();
            boolean done;
            try {
                done = p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                killTree(p);
                tell(true, e, "killed " + what + " because the instance stopped before it finished" + output(out));
                Thread.currentThread().interrupt();
                return;
            }
            if (!done) {
                killTree(p);
                tell(true, e, "killed " + what + " with its children because it ran past notify_timeout "
                        + millis(timeout.toNanos()) + output(out));
                return;
            }
            String took = millis(System.nanoTime() - started);
            if (p.exitValue() != 0) {
                tell(true, e, what + " exited with status " + p.exitValue() + " after " + took + output(out));
            } else {
                tell(false, e, "ran " + what + " in " + took + output(out));
            }
        } catch (IOException ex) {
            tell(true, e, what + " failed: " + ex);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }

    private void tell(boolean warn, VrrpEvent e, String text) {
        say.sentence(warn, "(" + instance + ") " + text + " [event " + e.eventId() + "]");
    }

    private static String millis(long nanos) {
        return nanos / 1_000_000 + " ms";
    }

    private static String output(Path out) {
        String t = tail(out);
        return t.isEmpty() ? "" : "; output: " + t;
    }

    /** The children first snapshotted, so that killing the hook does not orphan them out of our sight. */
    private static void killTree(Process p) {
        List<ProcessHandle> tree = p.descendants().toList();
        p.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@value #OUTPUT_TAIL_BYTES} bytes of the output, on one line. */
    static String tail(Path out) {
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - OUTPUT_TAIL_BYTES);
            byte[] b = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(b);
            String s = new String(b, StandardCharsets.UTF_8).strip().replaceAll("\\s*[\\r\\n]+\\s*", " | ");
            return from > 0 ? "..." + s : s;
        } catch (IOException ex) {
            return "(output unreadable: " + ex.getMessage() + ")";
        }
    }

    /**
     * Lets the queued hooks finish for up to {@code wait}, then kills the one running and drops the rest.
     * Idempotent.
     */
    void close(Duration wait) {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                int dropped = thread.shutdownNow().size();
                say.sentence(true, "(" + instance + ") stopped waiting for notify hooks after " + millis(wait.toNanos())
                        + ": killed the running one" + (dropped > 0 ? " and dropped " + dropped
                        + " queued transition(s)" : ""));
                thread.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ex) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(perTransition().plusSeconds(2));
    }
}
