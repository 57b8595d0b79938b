package io.haagent.agent.supervise;

import io.haagent.config.ServiceSpec;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 *       {@code /}.</li>
 *   <li>Those two variables mark everything the child starts, and survive a {@code setsid}: a child that
 *       daemonizes leaves its process group, so its group kill misses what it forked. Before each start and
 *       after each stop the supervisor looks in /proc for processes so marked outside the child's group —
 *       orphans — and stops them (stop_signal, then SIGKILL after stop_timeout), one warning each.</li>
 *   <li>Each child leads its own process group (started through {@code setsid}), so that stopping
 *       it reaches what it started too: the stop signal goes to the group, and after
 *       {@code stop_timeout} SIGKILL does. Whatever a child leaves in its group when it exits is
 *       killed, so a restart never races leftovers for ports or files.</li>
 *   <li>stdout and stderr go to {@code <state_dir>/logs/<service>/stdout.log} and {@code stderr.log},
 *       rotated by size, each pumped by a virtual thread: a child never blocks on a full pipe.</li>
 * </ul>
 * Thread-safe; operations on one service are serialised, different services do not wait for each other.
 */
public final class Supervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    private static final List<String> INHERITED_ENV = List.of("LANG", "LC_ALL", "TZ");

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

    private final Path logRoot;
    /** {@code <state_dir>/run/<service>.pid}: the running child, so a restarted agent finds what a dead one left. */
    private final Path pidRoot;
    /** The agent's state_dir, absolute: with the service's name, it marks the processes of this agent's services. */
    private final String stateDir;
    private final Listener listener;
    private final Options options;
    private final CommandRunner runner;
    private final Optional<Path> setsid;
    private final String childPath;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Child> children = new ConcurrentHashMap<>();
    private final Map<String, RotatingLog[]> logs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Supervisor(Path stateDir, Listener listener, Options options) {
        this(stateDir, listener, options, CommandRunner.system());
    }

    /** @param runner runs {@code setsid} lookups and {@code kill}; the children themselves use the agent's PATH */
    public Supervisor(Path stateDir, Listener listener, Options options, CommandRunner runner) {
        this.logRoot = stateDir.resolve("logs");
        this.pidRoot = stateDir.resolve("run");
        this.stateDir = stateDir.toAbsolutePath().normalize().toString();
        this.listener = listener;
        this.options = options;
        this.runner = runner;
        this.childPath = CommandRunner.agentPath();
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

    private static final class Child {
        final String service;
        final Process process;
        final ServiceSpec.Process spec;
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
        return logRoot.resolve(service);
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

    /** Stops every child (in parallel, each with its own stop_timeout) and closes the logs. */
    @Override
    public void close() {
        closed = true; // a start racing the close must not leave a child nobody stops
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
        for (RotatingLog[] pair : logs.values()) {
            for (RotatingLog l : pair) {
                try {
                    l.close();
                } catch (IOException e) {
                    log.warn("closing a child's log: {}", e.toString());
                }
            }
        }
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
        Map<String, String> env = environment(service, spec);
        String program = resolveForChild(spec.command().get(0), env.get("PATH"), what);
        RotatingLog[] pair = logsOf(service);
        Optional<Leftover> leftover = leftover(service);
        if (leftover.isPresent() && leftover.get().startedAs().equals(Optional.of(fingerprint(spec)))) {
            return adopt(service, spec, leftover.get().process());
        }
        if (leftover.isPresent()) {
            stopLeftover(service, leftover.get().process());
        }
        Child previous = children.get(service);
        stopOrphans(service, spec, previous == null ? OptionalLong.empty() : OptionalLong.of(previous.process.pid()));

        List<String> argv = new ArrayList<>();
        setsid.ifPresent(s -> argv.add(s.toString()));
        argv.add(program);
        argv.addAll(spec.command().subList(1, spec.command().size()));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(workdir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
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
            recordPid(service, p.toHandle(), spec);
            Thread.ofVirtual().name("pump-" + service + "-stdout").start(() -> pump(service, p.getInputStream(), pair[0]));
            Thread.ofVirtual().name("pump-" + service + "-stderr").start(() -> pump(service, p.getErrorStream(), pair[1]));
            // Report the start before asking for the exit, so that the listener can never hear them reversed.
            safely(() -> listener.started(service, p.pid()));
            reported = true;
        } finally {
            if (!reported) {
                // The start throws (out of threads, say): the caller counts it as failed, so no child may stay
                // behind unwatched — a later start would take it for running and its exit would go unnoticed.
                c.stopRequested = true;
                killQuietly(c);
            }
            c.exitReported = p.onExit().thenRun(() -> exited(c));
        }
        return p.pid();
    }

    private void killQuietly(Child c) {
        try {
            signal(c, ServiceSpec.StopSignal.KILL, true);
        } catch (Throwable t) {
            // the direct kill below needs neither a thread nor a descriptor
        }
        c.process.destroyForcibly();
    }

    private Map<String, String> environment(String service, ServiceSpec.Process spec) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", childPath);
        for (String k : INHERITED_ENV) {
            String v = System.getenv(k);
            if (v != null) {
                env.put(k, v);
            }
        }
        env.putAll(spec.env());
        // Last, so that no service env can unmark its processes: see stopOrphans.
        env.put("HAAGENT_SERVICE", service);
        env.put("HAAGENT_STATE_DIR", stateDir);
        return env;
    }

    /** Finds the program as the child's exec would, so a typo is a clear error rather than an exit 127. */
    private static String resolveForChild(String program, String path, String what) throws IOException {
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!Files.isExecutable(p) || Files.isDirectory(p)) {
                throw new IOException(what + ": " + program + " is not an executable file");
            }
            return program;
        }
        for (Path dir : CommandRunner.parsePath(path)) {
            Path candidate = dir.resolve(program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toString();
            }
        }
        throw new IOException(what + ": '" + program + "' was not found in PATH " + path
                + "; give the absolute path in process.command");
    }

    private RotatingLog[] logsOf(String service) throws IOException {
        RotatingLog[] pair = logs.get(service);
        if (pair != null) {
            return pair; // shared across restarts: a leftover writer never fights the new child's over rotation
        }
        Path dir = logDir(service);
        try {
            Files.createDirectories(dir);
            pair = new RotatingLog[] {
                new RotatingLog(dir.resolve("stdout.log"), options.logMaxBytes(), options.logKeep()),
                new RotatingLog(dir.resolve("stderr.log"), options.logMaxBytes(), options.logKeep())};
        } catch (IOException e) {
            throw new IOException("cannot start service " + service + ": cannot write its logs under " + dir + ": " + e,
                    e);
        }
        logs.put(service, pair);
        return pair;
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

    /**
     * Adopts a child a killed (or crashed) agent left running, rather than restarting it: a restart would
     * empty a Redis master that holds acknowledged writes (hostile run, fault 4), and starting a second copy
     * beside it would fight over ports and files. From now on it is the service's child — stopped, restarted
     * and healed like one — except that its output is lost (its pipes died with that agent) until its next
     * restart, and its exit status is unknown.
     */
    private long adopt(String service, ServiceSpec.Process spec, ProcessHandle h) {
        Process p = new AdoptedProcess(h);
        // it was started through setsid by the previous agent when this one would: its pid leads its group
        Child c = new Child(service, p, spec, setsid.isPresent());
        children.put(service, c);
        recordPid(service, h, spec);
        log.warn("service {}: adopted pid {} left running by a previous haagent instead of restarting it; its output"
                + " is not captured until its next restart", service, h.pid());
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
        kill(ServiceSpec.StopSignal.KILL, "-" + leftover.pid(), service, true);
        leftover.destroyForcibly();
        try {
            leftover.onExit().get(options.killWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.error("service {}: leftover pid {} survived SIGKILL for {}", service, leftover.pid(), options.killWait());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A process a previous agent started, and the fingerprint of the spec it was started with (if recorded). */
    private record Leftover(ProcessHandle process, Optional<String> startedAs) {}

    /** What identifies how a child was started, stable across agent runs (records print their fields). */
    static String fingerprint(ServiceSpec.Process spec) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(spec.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * A child whose agent was killed (or crashed) outlives it in its own process group. Its pid file names
     * it, and the start time proves the pid was not reused.
     */
    private Optional<Leftover> leftover(String service) {
        Path file = pidRoot.resolve(service + ".pid");
        String[] recorded;
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            recorded = Files.readString(file).strip().split(" ", 3);
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("service {}: cannot read {}: {}", service, file, e.toString());
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(recorded[0]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<ProcessHandle> leftover = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> recorded.length >= 2 && h.info().startInstant().map(Object::toString).orElse("").equals(recorded[1]));
        if (leftover.isEmpty() || children.containsKey(service) && children.get(service).process.pid() == pid) {
            return Optional.empty();
        }
        return Optional.of(new Leftover(leftover.get(), recorded.length == 3 ? Optional.of(recorded[2]) : Optional.empty()));
    }

    /** {@code <pid> <start time> <spec fingerprint>}: enough for the next agent to adopt the child, or not. */
    private void recordPid(String service, ProcessHandle h, ServiceSpec.Process spec) {
        try {
            Files.createDirectories(pidRoot);
            Files.writeString(pidRoot.resolve(service + ".pid"),
                    h.pid() + " " + h.info().startInstant().map(Object::toString).orElse("") + " " + fingerprint(spec) + "\n");
        } catch (IOException e) {
            log.warn("service {}: cannot write its pid file under {}: {}; a restarted agent would not find this child",
                    service, pidRoot, e.toString());
        }
    }

    private void forgetPid(String service, long pid) {
        Path file = pidRoot.resolve(service + ".pid");
        try {
            if (Files.exists(file) && Files.readString(file).startsWith(pid + " ")) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a stale file is harmless: its start time will not match a reused pid
        }
    }

    private void exited(Child c) {
        int code = c.process.exitValue();
        forgetPid(c.service, c.process.pid());
        if (c.group && !c.stopRequested) {
            // What it left in its group would hold ports, files and our pipes: gone with it.
            Thread.ofVirtual().start(() -> signal(c, ServiceSpec.StopSignal.KILL, true));
        }
        safely(() -> listener.exited(c.service, c.process.pid(), code, c.stopRequested));
    }

    /** @return true when SIGKILL was needed */
    private boolean stop(Child c) {
        if (!c.process.isAlive()) {
            awaitExitReported(c);
            stopOrphans(c.service, c.spec, OptionalLong.of(c.process.pid()));
            return false;
        }
        c.stopRequested = true;
        List<ProcessHandle> tree = descendants(c);
        signal(c, c.spec.stopSignal(), false);
        boolean killed = false;
        if (!awaitExit(c, c.spec.stopTimeout())) {
            log.warn("service {}: pid {} did not exit within stop_timeout {} after SIG{}; sending SIGKILL", c.service,
                    c.process.pid(), c.spec.stopTimeout(), c.spec.stopSignal());
            killed = true;
        }
        // SIGKILL the group (or the tree we saw) even after a clean exit: no leftovers. The direct
        // kill of the child is the fallback should kill(1) itself fail.
        signal(c, ServiceSpec.StopSignal.KILL, !killed);
        tree.forEach(ProcessHandle::destroyForcibly);
        c.process.destroyForcibly();
        if (killed && !awaitExit(c, options.killWait())) {
            log.error("service {}: pid {} survived SIGKILL for {} (uninterruptible sleep?); giving up on it",
                    c.service, c.process.pid(), options.killWait());
        }
        awaitExitReported(c);
        stopOrphans(c.service, c.spec, OptionalLong.of(c.process.pid()));
        return killed;
    }

    /**
     * Stops what the service's children left running outside their process group: processes whose environment
     * carries this agent's {@code HAAGENT_STATE_DIR} and the service's {@code HAAGENT_SERVICE} (both survive a
     * setsid) and whose group is neither {@code childGroup} (the last child's own, killed with it) nor the agent's.
     * Only /proc of this pid namespace is read, and only processes we may read; nothing else is touched.
     */
    private void stopOrphans(String service, ServiceSpec.Process spec, OptionalLong childGroup) {
        List<ProcessHandle> orphans = findOrphans(service, childGroup);
        if (orphans.isEmpty()) {
            return;
        }
        Map<ProcessHandle, String> commands = new LinkedHashMap<>();
        for (ProcessHandle h : orphans) {
            commands.put(h, h.info().commandLine().orElse(h.info().command().orElse("?")));
            switch (spec.stopSignal()) {
                case TERM -> h.destroy();
                case KILL -> h.destroyForcibly();
                default -> kill(spec.stopSignal(), String.valueOf(h.pid()), service, true);
            }
        }
        long deadline = System.nanoTime() + spec.stopTimeout().toNanos();
        for (ProcessHandle h : orphans) {
            boolean killed = false;
            boolean gone = awaitGone(h, deadline - System.nanoTime());
            if (!gone) {
                h.destroyForcibly();
                killed = true;
                gone = awaitGone(h, options.killWait().toNanos());
            }
            String command = commands.get(h);
            if (gone) {
                log.warn("service {}: stopped orphan pid {} ({}) left by its daemonizing child (it called setsid, so"
                        + " the stop of its process group missed it){}", service, h.pid(), command,
                        killed ? "; SIGKILL after stop_timeout " + spec.stopTimeout() : "");
            } else {
                log.error("service {}: orphan pid {} ({}) left by its daemonizing child survived SIGKILL for {}"
                        + " (uninterruptible sleep?); giving up on it", service, h.pid(), command, options.killWait());
            }
            safely(() -> listener.orphanStopped(service, h.pid(), command));
        }
    }

    /**
     * Polls: onExit of a process that is not our child polls too, but slowly (seconds), and an orphan dead but
     * not yet reaped by its new parent is a zombie, which is gone enough.
     */
    private static boolean awaitGone(ProcessHandle h, long nanos) {
        long deadline = System.nanoTime() + Math.max(0, nanos);
        while (h.isAlive() && processGroup(h.pid()) >= 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !h.isAlive();
            }
        }
        return true;
    }

    private List<ProcessHandle> findOrphans(String service, OptionalLong childGroup) {
        String serviceMark = "HAAGENT_SERVICE=" + service;
        String agentMark = "HAAGENT_STATE_DIR=" + stateDir;
        long self = ProcessHandle.current().pid();
        long ownGroup = processGroup(self);
        List<ProcessHandle> found = new ArrayList<>();
        File[] procs = new File("/proc").listFiles((d, n) -> !n.isEmpty() && n.chars().allMatch(Character::isDigit));
        if (procs == null) {
            return found; // no /proc (not Linux): nothing to find
        }
        for (File p : procs) {
            long pid = Long.parseLong(p.getName());
            if (pid == self) {
                continue;
            }
            try {
                byte[] environ = Files.readAllBytes(p.toPath().resolve("environ"));
                if (!hasEntry(environ, serviceMark) || !hasEntry(environ, agentMark)) {
                    continue;
                }
                long group = processGroup(pid);
                if (group < 0 || group == ownGroup || childGroup.isPresent() && group == childGroup.getAsLong()) {
                    continue; // gone, a zombie, or in a group a stop kills anyway
                }
                ProcessHandle.of(pid).ifPresent(found::add);
            } catch (IOException | RuntimeException e) {
                // gone meanwhile, or not ours to read
            }
        }
        return found;
    }

    private static boolean hasEntry(byte[] environ, String entry) {
        byte[] want = entry.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start == want.length && java.util.Arrays.equals(environ, start, i, want, 0, want.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** The process group of {@code pid} from /proc/PID/stat, or -1 when it is gone or a zombie. */
    private static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return f[0].equals("Z") || f[0].equals("X") ? -1 : Long.parseLong(f[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static List<ProcessHandle> descendants(Child c) {
        return c.process.descendants().toList();
    }

    /**
     * Sends {@code sig} to the child's group, or to the child alone without groups. Java signals a
     * process only with TERM and KILL, and never a group; everything else goes through kill(1).
     */
    private void signal(Child c, ServiceSpec.StopSignal sig, boolean quietly) {
        long pid = c.process.pid();
        if (!c.group) {
            switch (sig) {
                case TERM -> c.process.destroy();
                case KILL -> {
                    c.process.descendants().forEach(ProcessHandle::destroyForcibly);
                    c.process.destroyForcibly();
                }
                default -> kill(sig, String.valueOf(pid), c.service, quietly);
            }
            return;
        }
        kill(sig, "-" + pid, c.service, quietly);
    }

    private void kill(ServiceSpec.StopSignal sig, String target, String service, boolean quietly) {
        try {
            CommandRunner.Result r = runner.run(List.of("sh", "-c", "kill -s \"$0\" -- \"$1\"", sig.name(), target),
                    Duration.ofSeconds(5));
            if (!r.ok() && !quietly) {
                log.warn("service {}: {}", service, r.summary());
            }
        } catch (IOException e) {
            log.error("service {}: cannot send SIG{} to {}: {}", service, sig, target, e.getMessage());
        }
    }

    private static boolean awaitExit(Child c, Duration d) {
        try {
            c.process.onExit().get(d.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !c.process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !c.process.isAlive();
        }
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

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("a supervisor listener failed; the supervisor carries on", e);
        }
    }
}
