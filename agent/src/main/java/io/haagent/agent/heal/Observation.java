package io.haagent.agent.heal;

import java.time.Duration;
import java.util.Optional;

/**
 * A fact the healer decides on, named in the past tense (STYLE §7). The decision loop turns each
 * check edge, supervisor report, actuator result, admin request and wake-up into one of these.
 *
 * <p>Dependencies going down or up are not inputs: the healer derives them from the dependency's
 * own observations, so the two can never disagree.
 */
public sealed interface Observation {

    /** The agent started (or a reload added services): start what it supervises. */
    record AgentStarted() implements Observation {}

    /** A check flipped to DOWN after {@code fall} failures; every service that lists it is affected. */
    record CheckWentDown(String check, String reason) implements Observation {}

    /** A check flipped to UP after {@code rise} successes. */
    record CheckWentUp(String check) implements Observation {}

    /**
     * A supervised child exited. {@code stopRequested}: the agent itself stopped it (restart, stop,
     * reload), so the exit is expected and not a failure.
     *
     * @param exitCode as Java reports it: 128+N when signal N killed the child
     */
    record ProcessExited(String service, long pid, int exitCode, boolean stopRequested) implements Observation {
        /**
         * "process 1234 exited with code 1", "process 1234 exited with code 137 (signal 9, KILL)"; a negative code
         * is an exit status nobody could learn (a child adopted from a previous agent).
         */
        public String describe() {
            if (exitCode < 0) {
                return "process " + pid + " exited (its exit status is unknown: it was adopted from a previous haagent)";
            }
            String s = "process " + pid + " exited with code " + exitCode;
            if (exitCode > 128 && exitCode < 128 + 32) {
                int sig = exitCode - 128;
                s += " (signal " + sig + signalName(sig).map(n -> ", " + n).orElse("") + ")";
            }
            return s;
        }

        private static Optional<String> signalName(int sig) {
            String[] names = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
                    "USR2", "PIPE", "ALRM", "TERM"};
            return sig < names.length ? Optional.ofNullable(names[sig]) : Optional.empty();
        }
    }

    /** A start or restart ordered by {@link Action.StartProcess} or {@link Action.RestartService} finished. */
    record RestartFinished(String service, boolean ok, String detail) implements Observation {}

    /** A VM restart ordered by {@link Action.EscalateVm} finished. */
    record VmRestartFinished(String service, boolean ok, String detail) implements Observation {}

    /** An operator paused one service, or the whole node when {@code service} is empty. */
    record OperatorPaused(Optional<String> service, String reason, Optional<Duration> duration) implements Observation {}

    /** An operator resumed one service (this also clears FATAL), or the node when {@code service} is empty. */
    record OperatorResumed(Optional<String> service, String reason) implements Observation {}

    /**
     * An operator stopped a supervised service: its child is stopped as the agent's own shutdown stops it, and
     * nothing starts or restarts it until {@link OperatorStarted}; its checks keep running. A reload keeps it.
     */
    record OperatorStopped(String service, String reason) implements Observation {}

    /** An operator started a service they had stopped: a fresh start (counters cleared), in dependency order. */
    record OperatorStarted(String service, String reason) implements Observation {}

    /** An operator asked for a restart now: clears FATAL and the counters, bypasses backoff and the host budget. */
    record RestartRequested(String service, String reason) implements Observation {}

    /**
     * Failover needs the service where it is, or no longer does. {@code heldBy} says why while held, as a
     * fragment that reads after "while" ("vrrp redis-vip is MASTER"), and is empty when released. The daemon
     * sends it when a VRRP instance whose tracked checks include one of the service's checks enters or
     * leaves MASTER on this node.
     *
     * <p>While held, a failure of the service is not healed by a restart: the service is WAITING until
     * failover has moved the role away — a Redis master with persistence off comes back empty, and its
     * replica would copy the emptiness. An operator's {@link RestartRequested} still restarts it.
     *
     * <p>Each observation states the whole hold and replaces the previous one (a level, not a delta): with
     * several instances tracking the service, send the hold while any of them is MASTER and release it
     * when none is. A reload keeps the hold of a service that is still configured.
     */
    record FailoverHoldChanged(String service, Optional<String> heldBy) implements Observation {
        public FailoverHoldChanged {
            if (heldBy.isPresent() && heldBy.get().isBlank()) {
                throw new IllegalArgumentException("a failover hold of '" + service + "' must say why, such as"
                        + " \"vrrp redis-vip is MASTER\"; send Optional.empty() to release it");
            }
        }
    }

    /** Nothing happened but time: the loop woke up at the decision's {@code nextWakeAtNanos}. */
    record TimePassed() implements Observation {}
}
