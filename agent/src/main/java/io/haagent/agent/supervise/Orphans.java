package io.haagent.agent.supervise;

import io.haagent.config.Durations;
import io.haagent.config.ServiceSpec;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the services' children left running outside their process group: a child that daemonizes calls setsid, so
 * the stop of its group misses what it forked. Such processes are found by the marks {@link ChildEnvironment} puts
 * in every child's environment, which survive a setsid, and stopped (stop_signal, then SIGKILL after stop_timeout),
 * one warning each.
 */
final class Orphans {
    // one logger for the supervisor's sentences, whichever class says them
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final String stateDir;
    private final ChildSignals signals;
    private final Duration killWait;
    private final Supervisor.Listener listener;

    /**
     * @param stateDir the agent's state_dir, absolute: with the service's name, it marks the processes of this
     *                 agent's services
     * @param killWait how long to wait for an exit after SIGKILL before giving up on an orphan
     */
    Orphans(String stateDir, ChildSignals signals, Duration killWait, Supervisor.Listener listener) {
        this.stateDir = stateDir;
        this.signals = signals;
        this.killWait = killWait;
        this.listener = listener;
    }

    /**
     * Stops what the service's children left running outside their process group: processes whose environment
     * carries this agent's {@code HAAGENT_STATE_DIR} and the service's {@code HAAGENT_SERVICE} (both survive a
     * setsid) and whose group is neither {@code childGroup} (the last child's own, killed with it) nor the agent's.
     * Only /proc of this pid namespace is read, and only processes we may read; nothing else is touched.
     */
    void stop(String service, ServiceSpec.Process spec, OptionalLong childGroup) {
        List<ProcessHandle> orphans = find(service, childGroup);
        if (orphans.isEmpty()) {
            return;
        }
        Map<ProcessHandle, String> commands = new LinkedHashMap<>();
        for (ProcessHandle h : orphans) {
            commands.put(h, h.info().commandLine().orElse(h.info().command().orElse("?")));
            switch (spec.stopSignal()) {
                case TERM -> h.destroy();
                case KILL -> h.destroyForcibly();
                default -> signals.kill(spec.stopSignal(), String.valueOf(h.pid()), service, true);
            }
        }
        long deadline = System.nanoTime() + spec.stopTimeout().toNanos();
        for (ProcessHandle h : orphans) {
            boolean killed = false;
            boolean gone = awaitGone(h, deadline - System.nanoTime());
            if (!gone) {
                h.destroyForcibly();
                killed = true;
                gone = awaitGone(h, killWait.toNanos());
            }
            String command = commands.get(h);
            if (gone) {
                log.warn("service {}: stopped orphan pid {} ({}) left by its daemonizing child (it called setsid, so"
                        + " the stop of its process group missed it){}", service, h.pid(), command,
                        killed ? "; SIGKILL after stop_timeout " + Durations.format(spec.stopTimeout()) : "");
            } else {
                log.error("service {}: orphan pid {} ({}) left by its daemonizing child survived SIGKILL for {}"
                        + " (uninterruptible sleep?); giving up on it", service, h.pid(), command, Durations.format(killWait));
            }
            Supervisor.safely(() -> listener.orphanStopped(service, h.pid(), command));
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

    private List<ProcessHandle> find(String service, OptionalLong childGroup) {
        String serviceMark = ChildEnvironment.SERVICE + "=" + service;
        String agentMark = ChildEnvironment.STATE_DIR + "=" + stateDir;
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
        byte[] want = entry.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start == want.length && Arrays.equals(environ, start, i, want, 0, want.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** The process group of {@code pid} from /proc/PID/stat, or -1 when it is gone or a zombie. */
    private static long processGroup(long pid) {
        return ProcStat.of(pid).filter(s -> !s.dead()).map(ProcStat::processGroup).orElse(-1L);
    }
}
