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
 * One run of a server process a fixture starts ({@link RedisServer}, {@link MotoServer},
 * {@link Keepalived}): its output captured in a file, a readiness wait with a deadline, a stop and a
 * kill that reach as far as the fixture says, and a JVM shutdown hook that kills every run a test
 * forgot, so that nothing outlives the JVM. A fixture restarting its server starts a new run.
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

    private final String name;
    private final Reach reach;
    private final Process process;

    private LocalProcess(String name, Reach reach, Process process) {
        this.name = name;
        this.reach = reach;
        this.process = process;
    }

    /**
     * Starts {@code command} with stdout and stderr appended to {@code output}.
     *
     * @param name the program, for messages ({@code "redis-server"})
     */
    static LocalProcess start(String name, ProcessBuilder command, Path output, Reach reach) {
        Process p;
        try {
            p = command.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.command().getFirst(), e);
        }
        LocalProcess run = new LocalProcess(name, reach, p);
        LIVE.add(run);
        return run;
    }

    /**
     * Starts a server on a free TCP port: {@code startOn} starts it on the port it is given and
     * waits until it is ready. Another process may take the port before the server binds it: when
     * the start fails with "Address already in use" in {@code log}, {@code kill} ends the attempt
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
                boolean portTaken = log.get().contains("Address already in use");
                kill.run();
                if (!portTaken || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /**
     * Returns once {@code ready}; {@code readiness} says what that means, as in "exited before
     * <em>answering PING</em>".
     *
     * @throws IllegalStateException when the process exits first or is not ready within
     *         {@code timeout}; the message has {@code log}
     */
    void awaitReady(String label, String readiness, Duration timeout, BooleanSupplier ready, Supplier<String> log) {
        try {
            Eventually.within(timeout, label + " " + readiness, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(label + " exited before " + readiness + "; its log:\n" + log.get());
                }
                return ready.getAsBoolean();
            });
        } catch (AssertionError e) {
            throw new IllegalStateException(label + " was not " + readiness + " within " + timeout + "; its log:\n"
                    + log.get(), e);
        }
    }

    /** SIGKILL, as a crash would, as far as the {@link Reach} goes; waits for the exits. */
    void kill() {
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
     * that lingers after its parent's exit (a hook of the last moment) is killed too.
     */
    void stop(Duration grace) {
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

    private void awaitExits(List<ProcessHandle> reached) {
        for (ProcessHandle h : reached) {
            try {
                h.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                throw new IllegalStateException(name + " pid " + h.pid() + " did not exit within "
                        + EXIT_TIMEOUT.toSeconds() + " s", e);
            }
        }
        LIVE.remove(this);
    }
}
