package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The server process of a fixture ({@link RedisServer}, {@link MotoServer}, {@link Keepalived},
 * {@link ConfiglessRedis}, {@link PrometheusServer}, {@link ZookeeperServer}): started with its output captured in a file, a readiness wait with a
 * deadline, a stop and a kill that reach as far as the fixture says, and a JVM shutdown hook that
 * kills every process a test forgot, so that nothing outlives the JVM. A fixture may start it
 * again after a stop or a kill (a restart on the same port).
 */
final class LocalProcess {
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<LocalProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(LocalProcess::kill), "testkit-reaper"));
    }

    /** What a stop or a kill reaches. */
    enum Reach {
        /** The process alone. */
        PROCESS,
        /**
         * The process and everything below it, collected before the signal: once the parent is
         * gone its children are re-parented and out of reach.
         */
        TREE,
        /**
         * As {@link #TREE}, but a kill reaches the process group with one kill(2) first, so that no
         * child outlives the parent even briefly; the process must lead its group (run it under
         * {@code setsid}).
         */
        GROUP
    }

    private final Supplier<String> label;
    private final Reach reach;
    private Process process; // guarded by this; null when not running

    /** @param label the server, for messages ({@code "redis-server on port 6379"}); read when needed */
    LocalProcess(Supplier<String> label, Reach reach) {
        this.label = label;
        this.reach = reach;
    }

    /**
     * Starts a server on a free TCP port: {@code startOn} starts it on the port it is given and
     * waits until it is ready. Another process may take the port before the server binds it: when
     * the start fails with "address already in use" (in any case) in {@code log}, {@code kill} ends the attempt
     * and another port is tried, three in all.
     *
     * @return the port the server runs on
     */
    static int startOnFreePort(IntConsumer startOn, Supplier<String> log, Runnable kill) {
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.tcp();
            try {
                startOn.accept(port);
                return port;
            } catch (IllegalStateException e) {
                // Go servers (prometheus) write it lowercase: "bind: address already in use".
                boolean portTaken = log.get().toLowerCase(java.util.Locale.ROOT).contains("address already in use");
                kill.run();
                if (!portTaken || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Starts {@code command} with stdout and stderr appended to {@code output}; kills a running one first. */
    synchronized void start(ProcessBuilder command, Path output) {
        kill();
        try {
            process = command.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.command().getFirst(), e);
        }
        LIVE.add(this);
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(label.get() + " is not running");
        }
        return process.pid();
    }

    /**
     * Returns once {@code ready}; {@code readiness} says what that means, as in "exited before
     * <em>answering PING</em>".
     *
     * @throws IllegalStateException when the process exits first or is not ready within
     *         {@code timeout}; the message has {@code log}
     */
    void awaitReady(String readiness, Duration timeout, BooleanSupplier ready, Supplier<String> log) {
        try {
            Eventually.within(timeout, label.get() + " " + readiness, () -> {
                if (!isRunning()) {
                    throw new IllegalStateException(label.get() + " exited before " + readiness + "; its log:\n"
                            + log.get());
                }
                return ready.getAsBoolean();
            });
        } catch (AssertionError e) {
            throw new IllegalStateException(label.get() + " was not " + readiness + " within " + timeout
                    + "; its log:\n" + log.get(), e);
        }
    }

    /** SIGKILL, as a crash would, as far as the {@link Reach} goes; waits for the exits. Nothing when not running. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> reached = reached();
        if (reach == Reach.GROUP) {
            try {
                signal("9", "-" + process.pid());
            } catch (IOException e) {
                // not a group leader after all (or already gone): one by one below
            }
        }
        reached.forEach(ProcessHandle::destroyForcibly);
        awaitExits(reached);
    }

    /**
     * SIGTERM: an orderly shutdown. Waits {@code grace} for the exit, then kills; a descendant
     * that lingers after its parent's exit (a hook of the last moment) is killed too. Nothing when
     * not running.
     */
    synchronized void stop(Duration grace) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> reached = reached();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            return;
        }
        reached.forEach(ProcessHandle::destroyForcibly);
        awaitExits(reached);
    }

    /** The shell's kill: procps' /usr/bin/kill is not on every minimal system; dash's kill takes no "--". */
    static void signal(String signal, String target) throws IOException {
        NetnsLab.run(List.of("/bin/sh", "-c", "kill -" + signal + " " + target));
    }

    /** Children first, then the process itself. */
    private List<ProcessHandle> reached() {
        Stream<ProcessHandle> below = reach == Reach.PROCESS ? Stream.empty() : process.descendants();
        return Stream.concat(below, Stream.of(process.toHandle())).toList();
    }

    /** Forgets the process once it is gone; one that would not go stays for the reaper to try again. */
    private void awaitExits(List<ProcessHandle> reached) {
        for (ProcessHandle h : reached) {
            try {
                h.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                throw new IllegalStateException(label.get() + ": pid " + h.pid() + " did not exit within "
                        + EXIT_TIMEOUT.toSeconds() + " s", e);
            }
        }
        process = null;
        LIVE.remove(this);
    }
}
