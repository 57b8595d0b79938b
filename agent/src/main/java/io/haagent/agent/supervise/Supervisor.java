package io.haagent.agent.supervise;

import io.haagent.config.ServiceSpec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and owns the services' child processes, as supervisord does.
 *
 * <ul>
 *   <li>A child's exit is seen at once ({@link Process#onExit()}), not at the next check, and is
 *       reported to the {@link Listener} — after the report of its start, never before.</li>
 *   <li>A child gets a clean environment: {@code PATH} (the agent's), {@code LANG}, {@code LC_ALL}
 *       and {@code TZ} when the agent has them, the service's {@code env}, then {@code HAAGENT_SERVICE}
 *       and {@code HAAGENT_STATE_DIR}; stdin is /dev/null; the working directory is {@code workdir}, else
 *       {@code /} ({@link ChildEnvironment}).</li>
 *   <li>Those two variables mark everything the child starts, and survive a {@code setsid}: a child that
 *       daemonizes leaves its process group, so its group kill misses what it forked. Before each start and
 *       after each stop the supervisor looks in /proc for processes so marked outside the child's group —
 *       orphans — and stops them (stop_signal, then SIGKILL after stop_timeout), one warning each
 *       ({@link Orphans}).</li>
 *   <li>Each child leads its own process group (started through {@code setsid}), so that stopping
 *       it reaches what it started too: the stop signal goes to the group, and after
 *       {@code stop_timeout} SIGKILL does. Whatever a child leaves in its group when it exits is
 *       killed, so a restart never races leftovers for ports or files ({@link ChildSignals}).</li>
 *   <li>stdout and stderr go to {@code <state_dir>/logs/<service>/stdout.log} and {@code stderr.log}, which the
 *       child opens itself (O_APPEND), rotated by size with copy-then-truncate: a child never blocks on the agent
 *       and its output outlives it ({@link ChildLogs}).</li>
 *   <li>Each running child has a pid file, so that the next agent — after a planned restart
 *       ({@link #leaveChildrenRunning}) or a crash — adopts the child it finds still running, or stops it when its
 *       service changed meanwhile ({@link PidFiles}).</li>
 * </ul>
 * Thread-safe; operations on one service are serialised, different services do not wait for each other.
 */
public final class Supervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    /** Hears about children; called from the supervisor's threads, so it should only hand the news on. */
    public interface Listener {
        /** A child started (or was found running when a start was asked for). */
        void started(String service, long pid);

        /**
         * A child exited.
         *
         * @param exitCode      128+N when signal N killed it
         * @param stopRequested the supervisor stopped it on purpose (stop, restart, close)
         */
        void exited(String service, long pid, int exitCode, boolean stopRequested);

        /** An orphan a daemonizing child left outside its process group was stopped (and logged). */
        default void orphanStopped(String service, long pid, String command) {}
    }

    /**
     * @param logMaxBytes    size at which stdout.log / stderr.log are rotated
     * @param logKeep        rotated files kept per stream (.1 … .N)
     * @param processGroups  start children through setsid and signal their group; off, or without setsid,
     *                       only the child and its live descendants are signalled
     * @param killWait       how long to wait for an exit after SIGKILL before giving up on a child
     */
    public record Options(long logMaxBytes, int logKeep, boolean processGroups, Duration killWait) {
        public static final Options DEFAULT = new Options(10L * 1024 * 1024, 3, true, Duration.ofSeconds(5));
    }

    private final ChildLogs logs;
    private final PidFiles pidFiles;
    private final ChildEnvironment environment;
    private final ChildSignals signals;
    private final Orphans orphans;
    private final Listener listener;
    private final Options options;
    private final Optional<Path> setsid;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Child> children = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile boolean leaveRunning;

    public Supervisor(Path stateDir, Listener listener, Options options) {
        this(stateDir, listener, options, CommandRunner.system());
    }

    /** @param runner runs {@code setsid} lookups and {@code kill}; the children themselves use the agent's PATH */
    public Supervisor(Path stateDir, Listener listener, Options options, CommandRunner runner) {
        // The agent's state_dir, absolute: with the service's name, it marks the processes of this agent's services.
        String marked = stateDir.toAbsolutePath().normalize().toString();
        this.logs = new ChildLogs(stateDir, options.logMaxBytes(), options.logKeep());
        this.pidFiles = new PidFiles(stateDir);
        this.environment = new ChildEnvironment(marked);
        this.signals = new ChildSignals(runner, options.killWait());
        this.orphans = new Orphans(marked, signals, options.killWait(), listener);
        this.listener = listener;
        this.options = options;
        Optional<Path> s = Optional.empty();
        if (options.processGroups()) {
            try {
                s = Optional.of(runner.resolve("setsid"));
            } catch (IOException e) {
                log.warn("setsid (util-linux) not found: children will not get their own process group, so a stop"
                        + " reaches only a child and its live descendants; install util-linux to fix");
            }
        }
        this.setsid = s;
    }

    /** What children and restart commands start with; restart commands run in its state_dir. */
    ChildEnvironment environment() {
        return environment;
    }

    private static final class Child {
        final String service;
        final Process process;
        final ServiceSpec.Process spec;
        /** It leads its own process group, which the signals go to. */
        final boolean group;
        volatile boolean stopRequested;
        /** Completes once the exit has been reported to the listener. */
        volatile CompletableFuture<Void> exitReported;

        Child(String service, Process process, ServiceSpec.Process spec, boolean group) {
            this.service = service;
            this.process = process;
            this.spec = spec;
            this.group = group;
        }
    }

    /** {@code <state_dir>/logs/<service>}: where the child's stdout.log and stderr.log are. */
    public Path logDir(String service) {
        return logs.dir(service);
    }

    /**
     * The last {@code lines} lines of the service's stdout.log (stderr.log when {@code stderr}), or what follows
     * byte {@code from}: see {@link LogTail#read}.
     */
    public LogTail tail(String service, boolean stderr, int lines, OptionalLong from) throws IOException {
        return LogTail.read(logs.file(service, stderr), lines, from);
    }

    /** The running child's pid, if one runs. */
    public OptionalLong pid(String service) {
        Child c = children.get(service);
        return c != null && c.process.isAlive() ? OptionalLong.of(c.process.pid()) : OptionalLong.empty();
    }

    /**
     * Starts the service's child unless one is running (then only reports it as started again).
     *
     * @return its pid
     * @throws IOException when the command cannot be found or started, or its log files cannot be opened
     */
    public long start(String service, ServiceSpec.Process spec) throws IOException {
        if (leaveRunning) {
            throw new IOException("cannot start service " + service + ": the agent is restarting and leaves its"
                    + " children to the next one");
        }
        ReentrantLock lock = lock(service);
        lock.lock();
        try {
            Child running = children.get(service);
            if (running != null && running.process.isAlive()) {
                safely(() -> listener.started(service, running.process.pid()));
                return running.process.pid();
            }
            return spawn(service, spec);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the service's child: its stop_signal, up to stop_timeout, then SIGKILL. Returns once the
     * exit has been reported; a no-op when no child runs.
     *
     * @return true when SIGKILL was needed
     */
    public boolean stop(String service) {
        ReentrantLock lock = lock(service);
        lock.lock();
        try {
            Child c = children.get(service);
            return c != null && stop(c);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the child (if any) and starts a new one with {@code spec}. */
    public long restart(String service, ServiceSpec.Process spec) throws IOException {
        ReentrantLock lock = lock(service);
        lock.lock();
        try {
            Child c = children.get(service);
            if (c != null) {
                stop(c);
            }
            return spawn(service, spec);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes {@link #close} leave the children running, for a planned agent restart (an upgrade): their pid files
     * are rewritten now, so that the next agent on this state_dir adopts each child whose service did not change,
     * and their output goes on to their log files. Nothing new starts after this call.
     */
    public void leaveChildrenRunning() {
        closed = true;
        leaveRunning = true;
        for (Child c : children.values()) {
            if (c.process.isAlive()) {
                pidFiles.record(c.service, c.process.toHandle(), c.spec);
            }
        }
    }

    /**
     * Stops every child (in parallel, each with its own stop_timeout) and stops rotating the logs; after
     * {@link #leaveChildrenRunning} only the latter.
     */
    @Override
    public void close() {
        closed = true; // a start racing the close must not leave a child nobody stops
        if (leaveRunning) {
            logs.close();
            log.info("left {} running for the next haagent to adopt", children.values().stream()
                    .filter(c -> c.process.isAlive()).map(c -> c.service + " (pid " + c.process.pid() + ")").toList());
            return;
        }
        List<Thread> stoppers = new ArrayList<>();
        for (String service : new ArrayList<>(children.keySet())) {
            stoppers.add(Thread.ofVirtual().name("stop-" + service).start(() -> stop(service)));
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        logs.close();
    }

    // ---- internals ----------------------------------------------------------------------------

    private ReentrantLock lock(String service) {
        return locks.computeIfAbsent(service, s -> new ReentrantLock());
    }

    private long spawn(String service, ServiceSpec.Process spec) throws IOException {
        String what = "cannot start service " + service + " (" + String.join(" ", spec.command()) + ")";
        if (closed) {
            throw new IOException(what + ": the supervisor is shutting down");
        }
        Path workdir = spec.workdir().orElse(Path.of("/"));
        if (!Files.isDirectory(workdir)) {
            throw new IOException(what + ": workdir " + workdir + " is not a directory");
        }
        Map<String, String> env = environment.of(service, spec);
        String program = ChildEnvironment.resolve(spec.command().get(0), env.get("PATH"), what);
        ChildLogs.Streams output = logs.of(service);
        Child previous = children.get(service);
        OptionalLong previousPid = previous == null ? OptionalLong.empty() : OptionalLong.of(previous.process.pid());
        Optional<PidFiles.Leftover> leftover = pidFiles.leftover(service, previousPid);
        if (leftover.isPresent() && leftover.get().startedWith(spec)) {
            return adopt(service, spec, leftover.get().process());
        }
        if (leftover.isPresent()) {
            stopLeftover(service, leftover.get().process());
        }
        orphans.stop(service, spec, previousPid);

        List<String> argv = new ArrayList<>();
        setsid.ifPresent(s -> argv.add(s.toString()));
        argv.add(program);
        argv.addAll(spec.command().subList(1, spec.command().size()));
        ProcessBuilder pb = output.redirect(new ProcessBuilder(argv).directory(workdir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
        Child c = new Child(service, p, spec, setsid.isPresent());
        children.put(service, c);
        boolean reported = false;
        try {
            pidFiles.record(service, p.toHandle(), spec);
            // Report the start before asking for the exit, so that the listener can never hear them reversed.
            safely(() -> listener.started(service, p.pid()));
            reported = true;
        } finally {
            if (!reported) {
                // The start throws (out of threads, say): the caller counts it as failed, so no child may stay
                // behind unwatched — a later start would take it for running and its exit would go unnoticed.
                c.stopRequested = true;
                signals.killQuietly(service, p, c.group);
            }
            c.exitReported = p.onExit().thenRun(() -> exited(c));
        }
        return p.pid();
    }

    /**
     * Adopts a child a previous agent left running — on purpose ({@link #leaveChildrenRunning}, an upgrade), or
     * because it was killed or crashed — rather than restarting it: a restart would empty a Redis master that holds
     * acknowledged writes (hostile run, fault 4), and starting a second copy beside it would fight over ports and
     * files. From now on it is the service's child — stopped, restarted and healed like one, its output still in
     * its log files (it opened them itself) — except that its exit status is unknown.
     */
    private long adopt(String service, ServiceSpec.Process spec, ProcessHandle h) {
        Process p = new AdoptedProcess(h);
        // it was started through setsid by the previous agent when this one would: its pid leads its group
        Child c = new Child(service, p, spec, setsid.isPresent());
        children.put(service, c);
        pidFiles.record(service, h, spec);
        log.info("service {}: adopted pid {} left running by a previous haagent instead of restarting it (it was started"
                + " with the same command and environment)", service, h.pid());
        safely(() -> listener.started(service, h.pid()));
        c.exitReported = p.onExit().thenRun(() -> exited(c));
        return h.pid();
    }

    /**
     * A leftover whose service changed since it was started (its command, env, workdir...): the new spec is
     * what the operator asked for, so the old process is stopped, group and all, before the new one starts.
     */
    private void stopLeftover(String service, ProcessHandle leftover) {
        log.warn("service {}: pid {} was left running by a previous haagent with another command or environment;"
                + " stopping its process group and starting the service as configured now", service, leftover.pid());
        signals.killLeftover(service, leftover);
    }

    private void exited(Child c) {
        int code = c.process.exitValue();
        pidFiles.forget(c.service, c.process.pid());
        if (c.group && !c.stopRequested) {
            // What it left in its group would hold ports, files and our pipes: gone with it.
            Thread.ofVirtual().start(() -> signals.signal(c.service, c.process, c.group, ServiceSpec.StopSignal.KILL, true));
        }
        safely(() -> listener.exited(c.service, c.process.pid(), code, c.stopRequested));
    }

    /** @return true when SIGKILL was needed */
    private boolean stop(Child c) {
        if (!c.process.isAlive()) {
            awaitExitReported(c);
            orphans.stop(c.service, c.spec, OptionalLong.of(c.process.pid()));
            return false;
        }
        c.stopRequested = true;
        boolean killed = signals.stop(c.service, c.process, c.group, c.spec);
        awaitExitReported(c);
        orphans.stop(c.service, c.spec, OptionalLong.of(c.process.pid()));
        return killed;
    }

    /** The exit report comes before whatever the caller does next (a new start, say). */
    private void awaitExitReported(Child c) {
        CompletableFuture<Void> f = c.exitReported;
        if (f == null) {
            return;
        }
        try {
            f.get(options.killWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("service {}: the exit of pid {} was not reported in time: {}", c.service, c.process.pid(),
                    e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a listener's call: a listener that throws must not break the supervision. */
    static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("a supervisor listener failed; the supervisor carries on", e);
        }
    }
}
