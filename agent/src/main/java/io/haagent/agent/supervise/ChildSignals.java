package io.haagent.agent.supervise;

import io.haagent.config.Durations;
import io.haagent.config.ServiceSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signals that stop children: the service's stop_signal, then SIGKILL after stop_timeout, to the child's
 * process group — or, when children get no group of their own, to the child and its live descendants. Java signals
 * a process only with TERM and KILL, and never a group; everything else goes through kill(1).
 */
final class ChildSignals {
    // one logger for the supervisor's sentences, whichever class says them
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final CommandRunner runner;
    private final Duration killWait;

    /**
     * @param runner   runs {@code kill}
     * @param killWait how long to wait for an exit after SIGKILL before giving up on a process
     */
    ChildSignals(CommandRunner runner, Duration killWait) {
        this.runner = runner;
        this.killWait = killWait;
    }

    /**
     * Stops a live child: {@code spec}'s stop signal, up to its stop_timeout, then SIGKILL.
     *
     * @param group the child leads its own process group
     * @return true when SIGKILL was needed
     */
    boolean stop(String service, Process p, boolean group, ServiceSpec.Process spec) {
        List<ProcessHandle> tree = p.descendants().toList();
        signal(service, p, group, spec.stopSignal(), false);
        boolean killed = false;
        if (!awaitExit(p, spec.stopTimeout())) {
            log.warn("service {}: pid {} did not exit within stop_timeout {} after SIG{}; sending SIGKILL", service,
                    p.pid(), Durations.format(spec.stopTimeout()), spec.stopSignal());
            killed = true;
        }
        // SIGKILL the group (or the tree we saw) even after a clean exit: no leftovers. The direct
        // kill of the child is the fallback should kill(1) itself fail.
        signal(service, p, group, ServiceSpec.StopSignal.KILL, !killed);
        tree.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        if (killed && !awaitExit(p, killWait)) {
            log.error("service {}: pid {} survived SIGKILL for {} (uninterruptible sleep?); giving up on it",
                    service, p.pid(), killWait);
        }
        return killed;
    }

    /** Sends {@code sig} to the child's group, or to the child alone without groups. */
    void signal(String service, Process p, boolean group, ServiceSpec.StopSignal sig, boolean quietly) {
        long pid = p.pid();
        if (!group) {
            switch (sig) {
                case TERM -> p.destroy();
                case KILL -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
                default -> kill(sig, String.valueOf(pid), service, quietly);
            }
            return;
        }
        kill(sig, "-" + pid, service, quietly);
    }

    /** SIGKILL for a child that must not stay behind, even when signalling it fails (out of threads, say). */
    void killQuietly(String service, Process p, boolean group) {
        try {
            signal(service, p, group, ServiceSpec.StopSignal.KILL, true);
        } catch (Throwable t) {
            // the direct kill below needs neither a thread nor a descriptor
        }
        p.destroyForcibly();
    }

    /** SIGKILL for a previous agent's child, group and all, waiting for it to go. */
    void killLeftover(String service, ProcessHandle leftover) {
        kill(ServiceSpec.StopSignal.KILL, "-" + leftover.pid(), service, true);
        leftover.destroyForcibly();
        try {
            leftover.onExit().get(killWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.error("service {}: leftover pid {} survived SIGKILL for {}", service, leftover.pid(), killWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** kill(1): {@code target} is a pid, or a process group as {@code -pgid}. */
    void kill(ServiceSpec.StopSignal sig, String target, String service, boolean quietly) {
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

    private static boolean awaitExit(Process p, Duration d) {
        try {
            p.onExit().get(d.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }
}
