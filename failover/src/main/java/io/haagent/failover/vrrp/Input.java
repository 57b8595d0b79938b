package io.haagent.failover.vrrp;

import io.haagent.config.Ipv4;
import java.util.List;
import java.util.Set;

/** What happened, as a fact: the only things that move the election. */
public sealed interface Input {

    /** The instance was started (RFC 5798 §6.4.1 Startup event). */
    record Started() implements Input {}

    /**
     * A decoded, authenticated advert from a configured peer. {@code advertIntervalCentis} is the
     * packet's interval in centiseconds (a v2 codec multiplies its seconds by 100). {@code follower}: a leased
     * BACKUP's follower advert (issue 14), which says "I follow you" and is never a master's: the election ignores it,
     * the lease counts it as the peer's agreement.
     */
    record AdvertReceived(Ipv4 source, int priority, int advertIntervalCentis, boolean follower) implements Input {
        public AdvertReceived {
            if (priority < 0 || priority > 255) {
                throw new IllegalArgumentException("advert priority must be 0..255, got " + priority);
            }
        }

        /** An advert as every VRRP speaker sends it. */
        public AdvertReceived(Ipv4 source, int priority, int advertIntervalCentis) {
            this(source, priority, advertIntervalCentis, false);
        }
    }

    /** The wake-up time returned by the last decision has come (early or spurious calls are harmless). */
    record TimePassed() implements Input {}

    /** A tracked check went down. */
    record TrackedCheckWentDown(String check) implements Input {}

    /** A tracked check came back up. */
    record TrackedCheckWentUp(String check) implements Input {}

    /**
     * The local Redis must not be promoted ({@code why}: the promotion guard refused, or the promotion failed):
     * the instance holds FAULT, as a weight-0 tracked check that is down would make it, until
     * {@link PromotionAllowed}.
     */
    record PromotionRefused(String why) implements Input {}

    /** The promotion guard lifted ({@code why}: the local Redis replicates a master again, or an operator forced it). */
    record PromotionAllowed(String why) implements Input {}

    /**
     * A reload gave the running instance new parameters (the machine that decides this input has them) without
     * changing its identity: the election goes on from its state. {@code before} are the parameters it ran
     * with, {@code downChecks} the tracked checks down now (under the new tracking), {@code changes} what the
     * reload changed, for the sentence ({@code "priority 150 -> 160"}, {@code "notify"}).
     */
    record Reconfigured(VrrpParams before, Set<String> downChecks, List<String> changes) implements Input {
        public Reconfigured {
            downChecks = Set.copyOf(downChecks);
            changes = List.copyOf(changes);
        }
    }

    /**
     * An operator asked for a planned switchover, and the peer's Redis has caught up ({@code why} says so, for the
     * sentence). A MASTER sends priority 0 (RFC 5798 §6.4.3: the peer takes over after its skew time) and becomes
     * BACKUP, held out of preemption ({@link ElectionHold.Kind#STEPPED_DOWN}); any other state has nothing to hand
     * over and changes nothing.
     */
    record SwitchoverRequested(String why) implements Input {}

    /**
     * An operator drained the node ({@code why}): the instance never becomes MASTER until {@link ResumeRequested}
     * ({@link ElectionHold.Kind#DRAINED}). A MASTER steps down as for a switchover (the caller first let the peer's
     * Redis catch up).
     */
    record DrainRequested(String why) implements Input {}

    /** An operator resumed the node ({@code why}): a drain or a switchover's hold ends. */
    record ResumeRequested(String why) implements Input {}

    /** The instance is being stopped (shutdown or reload removed it; RFC 5798 §6.4.3 Shutdown event). */
    record StopRequested() implements Input {}

    /**
     * The agent is stopping for a planned restart ({@code haagent ctl agent restart}, a package upgrade): its services
     * stay running and the next agent resumes. A MASTER hands over ({@link Action.HandOver}) instead of sending priority
     * 0; any other state stops as for {@link StopRequested}.
     */
    record PlannedRestart() implements Input {}

    /**
     * The instance was started (as {@link Started}) by an agent whose predecessor handed over as MASTER for a planned
     * restart {@code agoNanos} ago (wall time, so it may be negative after a clock step), advertising
     * {@code advertIntervalCentis}: what the peer took as our interval (RFC 5798 §6.4.2).
     */
    record StartedAfterHandOver(long agoNanos, int advertIntervalCentis) implements Input {
        public StartedAfterHandOver {
            if (advertIntervalCentis < 1 || advertIntervalCentis > 4095) {
                throw new IllegalArgumentException("hand-over advert interval must be 1..4095 centiseconds, got "
                        + advertIntervalCentis);
            }
        }
    }

    /**
     * An instance behind a lease ({@link VrrpParams#leased}) holds it now, with {@code epoch} (the lease node's czxid):
     * the BACKUP that asked for it ({@link Action.AskLease}) becomes MASTER, unless it no longer wants to.
     */
    record LeaseGranted(long epoch) implements Input {}

    /**
     * The lease of a MASTER is no longer ours, or may no longer be ({@code why}: its own deadline passed, the session
     * expired, the node is another's): leave MASTER now, as for a switchover, and name the pair's peer as the master
     * so the local Redis stops taking writes at once.
     */
    record LeaseLost(String why) implements Input {}
}
