package io.haagent.failover.vrrp;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.vrrp.Action.AskLease;
import io.haagent.failover.vrrp.Action.BecomeBackup;
import io.haagent.failover.vrrp.Action.BecomeMaster;
import io.haagent.failover.vrrp.Action.EnterFault;
import io.haagent.failover.vrrp.Action.HandOver;
import io.haagent.failover.vrrp.Action.ReassertMaster;
import io.haagent.failover.vrrp.Action.ReleaseLease;
import io.haagent.failover.vrrp.Action.ReturnToInit;
import io.haagent.failover.vrrp.Action.SendAdvert;
import io.haagent.failover.vrrp.Action.SendAdvertTo;
import io.haagent.failover.vrrp.Action.SendFollowerAdvert;
import io.haagent.failover.vrrp.Input.AdvertReceived;
import io.haagent.failover.vrrp.Input.DrainRequested;
import io.haagent.failover.vrrp.Input.LeaseGranted;
import io.haagent.failover.vrrp.Input.LeaseLost;
import io.haagent.failover.vrrp.Input.PlannedRestart;
import io.haagent.failover.vrrp.Input.PromotionAllowed;
import io.haagent.failover.vrrp.Input.PromotionRefused;
import io.haagent.failover.vrrp.Input.Reconfigured;
import io.haagent.failover.vrrp.Input.ResumeRequested;
import io.haagent.failover.vrrp.Input.Started;
import io.haagent.failover.vrrp.Input.StartedAfterHandOver;
import io.haagent.failover.vrrp.Input.StopRequested;
import io.haagent.failover.vrrp.Input.SwitchoverRequested;
import io.haagent.failover.vrrp.Input.TimePassed;
import io.haagent.failover.vrrp.Input.TrackedCheckWentDown;
import io.haagent.failover.vrrp.Input.TrackedCheckWentUp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The VRRP election of one instance, as RFC 3768 (v2), RFC 5798 (v3) and keepalived run it: a pure
 * function of (input, previous state, time). Stateless itself and safe to share.
 */
public final class VrrpMachine {

    private static final long NANOS_PER_CENTI = 10_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int OWNER_PRIORITY = 255;
    /**
     * The advert interval a v3 MASTER hands over with for a planned agent restart: the peer holds 3 × this (30 s) and
     * the next agent resumes within half that (15 s). The next agent is back in about 3-4 s (the unit's RestartSec=2s
     * plus the JVM's start, 1-2 s), so 15 s is a 4× margin; and a host that dies mid-upgrade, or an agent that never
     * comes back, leaves the service unmonitored for 30 s + skew, not the 2 min the field's maximum (40.95 s) would.
     */
    private static final int HAND_OVER_ADVERT_CENTIS = 1000;
    /** Master_Down_Interval counts this many advert intervals (RFC 5798 §6.1; keepalived's down_timer_adverts). */
    private static final int DOWN_ADVERTS = 3;

    private final VrrpParams p;

    public VrrpMachine(VrrpParams params) {
        this.p = params;
    }

    public VrrpParams params() {
        return p;
    }

    /** Decides what {@code in} means for this instance at {@code nowNanos}. */
    public Decision decide(Input in, ElectionState prev, long nowNanos) {
        Decision decided = switch (in) {
            case Started s -> started(prev, nowNanos, "");
            case StartedAfterHandOver s -> startedAfterHandOver(s, prev, nowNanos);
            case StopRequested s -> stopped(prev);
            case PlannedRestart r -> plannedRestart(prev);
            case TimePassed t -> timePassed(prev, nowNanos);
            case AdvertReceived a -> advertReceived(a, prev, nowNanos);
            case TrackedCheckWentDown d -> trackChanged(d.check(), true, prev, nowNanos);
            case TrackedCheckWentUp u -> trackChanged(u.check(), false, prev, nowNanos);
            case Reconfigured r -> reconfigured(r, prev, nowNanos);
            case PromotionRefused r -> guardChanged(true, r.why(), prev, nowNanos);
            case PromotionAllowed a -> guardChanged(false, a.why(), prev, nowNanos);
            case SwitchoverRequested r -> held(new ElectionHold(ElectionHold.Kind.STEPPED_DOWN, r.why()), prev, nowNanos);
            case DrainRequested r -> held(new ElectionHold(ElectionHold.Kind.DRAINED, r.why()), prev, nowNanos);
            case ResumeRequested r -> resumed(r.why(), prev, nowNanos);
            case LeaseGranted g -> leaseGranted(g.epoch(), prev, nowNanos);
            case LeaseLost l -> leaseLost(l.why(), prev, nowNanos);
        };
        return in instanceof LeaseLost ? decided : releaseLeaseNoLongerWanted(prev, decided);
    }

    /**
     * Whatever took a leased instance out of MASTER, or out of wanting it (a higher master, a switchover, FAULT, a stop,
     * an advert it follows), gives the lease up at once: a Redis crash then fails over as fast as without a lease. The
     * paths that leave clear the lease fields; this one place turns that into the action.
     */
    private Decision releaseLeaseNoLongerWanted(ElectionState prev, Decision d) {
        if (!wantsLease(prev) || wantsLease(d.state())) {
            return d;
        }
        String why = d.actions().stream().filter(a -> a instanceof Action.Transition)
                .map(a -> ((Action.Transition) a).reason()).findFirst()
                .or(() -> d.sentence().map(x -> x.substring(prefix().length())))
                .orElse("MASTER is no longer wanted");
        List<Action> actions = new ArrayList<>(d.actions());
        actions.add(new ReleaseLease(why));
        return new Decision(d.state(), actions, d.nextWakeAtNanos(), d.sentence());
    }

    /**
     * Behind a lease there is no preemption: a living master keeps its lease, and the priority only orders who asks
     * for it when the master is gone ({@code preempt} is ignored; lint warns {@code coordination.lease-preempt}).
     */
    private boolean preempts() {
        return p.preempt() && !p.leased();
    }

    /**
     * "no master heard in 3.6s since start", or, for a node that left MASTER or FAULT since with no master named (its
     * {@code lastHeardNanos} then marks when), "no master heard for 3.6s".
     */
    private static String noMasterHeard(ElectionState s, long now) {
        return s.lastHeardNanos() == ElectionState.NEVER
                ? "no master heard in " + secs(now - s.startedNanos()) + " since start"
                : "no master heard for " + secs(now - s.lastHeardNanos());
    }

    /** Leased v3 instances tell their master that they follow it ({@link SendFollowerAdvert}). */
    private boolean sendsFollowerAdverts() {
        return p.leased() && p.version() == 3;
    }

    /** A BACKUP that follows a live master (not one that is leaving, not one waiting for the lease itself). */
    private boolean following(ElectionState s) {
        return sendsFollowerAdverts() && s.state() == VrrpState.BACKUP && s.awaitingLease().isEmpty()
                && s.master().isPresent() && s.masterPriority() > 0;
    }

    private static boolean wantsLease(ElectionState s) {
        return s.leaseEpoch() != ElectionState.NO_LEASE || s.awaitingLease().isPresent();
    }

    /**
     * The priority we advertise: keepalived's track_script weight — a positive weight is added while
     * the check is up, a negative one while it is down — clamped to 1..254; the owner (255) is never
     * adjusted.
     */
    public int effectivePriority(ElectionState s) {
        if (p.priority() == OWNER_PRIORITY) {
            return OWNER_PRIORITY;
        }
        int prio = p.priority();
        for (VrrpInstance.Track t : p.tracks()) {
            boolean down = s.downChecks().contains(t.check());
            if (t.weight() > 0 && !down || t.weight() < 0 && down) {
                prio += t.weight();
            }
        }
        return Math.clamp(prio, 1, 254);
    }

    /**
     * Skew_Time: RFC 3768 §6.1 (v2) {@code (256 - priority) / 256} seconds; RFC 5798 §6.1 (v3)
     * {@code (256 - priority) * Master_Adver_Interval / 256}.
     */
    public long skewNanos(int priority, int masterAdvertCentis) {
        long scale = p.version() == 2 ? NANOS_PER_SECOND : masterAdvertCentis * NANOS_PER_CENTI;
        return (256 - priority) * scale / 256;
    }

    /** Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time. */
    public long masterDownIntervalNanos(int priority, int masterAdvertCentis) {
        return DOWN_ADVERTS * masterAdvertCentis * NANOS_PER_CENTI + skewNanos(priority, masterAdvertCentis);
    }

    /**
     * How long a peer that heard our last advert, of {@code advertCentis}, waits before it takes over: 3 × that
     * interval (its skew time comes on top, a margin we do not count on).
     */
    public static long handOverHoldNanos(int advertCentis) {
        return DOWN_ADVERTS * advertCentis * NANOS_PER_CENTI;
    }

    // --- inputs ----------------------------------------------------------------------------------

    /** {@code note}: appended to the reason ("; not resumed as MASTER ..."), or empty. */
    private Decision started(ElectionState prev, long now, String note) {
        if (prev.state() != VrrpState.INIT) {
            return quiet(prev);
        }
        ElectionState s = startedState(prev, now);
        int prio = effectivePriority(s);
        Optional<String> fault = faultCause(s);
        if (fault.isPresent()) {
            String reason = "started while " + fault.get() + note;
            return transition(s.withState(VrrpState.FAULT),
                    List.of(new EnterFault(VrrpState.INIT, reason, Optional.empty(), prio)), VrrpState.INIT, reason);
        }
        if (prio == OWNER_PRIORITY) {
            // RFC 5798 §6.4.1: the address owner goes MASTER at startup
            return becomeMaster(s, now, VrrpState.INIT, "started as the address owner (priority 255)" + note,
                    now + masterDownIntervalNanos(prio, p.advertIntervalCentis()));
        }
        long wait = Math.max(masterDownIntervalNanos(prio, p.advertIntervalCentis()), p.startupDelayNanos());
        String reason = "started, waiting " + secs(wait) + " to hear a master" + note;
        return transition(s.withState(VrrpState.BACKUP).withDownAt(now + wait),
                List.of(new BecomeBackup(VrrpState.INIT, reason, Optional.empty(), prio)), VrrpState.INIT, reason);
    }

    private ElectionState startedState(ElectionState prev, long now) {
        return ElectionState.initial().withDownChecks(prev.downChecks())
                .withPromotionRefused(prev.promotionRefused()).withHold(prev.hold()).withStarted(now)
                .withMaster(Optional.empty(), 0, p.advertIntervalCentis(), ElectionState.NEVER);
    }

    /**
     * The previous agent handed over as MASTER for a planned restart ({@link #plannedRestart}). While the peer surely
     * still holds — less than half its hold has passed, which leaves the other half for clock error and a slow start —
     * and nothing faults the instance, it resumes MASTER at once, as the address owner does at start-up (RFC 5798
     * §6.4.1), and its first advert carries its own interval again, which the peer adopts. Otherwise it starts as
     * ever, and says why it did not resume.
     */
    private Decision startedAfterHandOver(StartedAfterHandOver in, ElectionState prev, long now) {
        if (prev.state() != VrrpState.INIT) {
            return quiet(prev);
        }
        long hold = handOverHoldNanos(in.advertIntervalCentis());
        ElectionState s = startedState(prev, now);
        String notResumed = "; not resumed as MASTER after the planned agent restart";
        if (in.agoNanos() < 0) {
            notResumed += ": its hand-over is dated " + secs(-in.agoNanos()) + " ahead of the clock (the clock was"
                    + " stepped back)";
        } else if (in.agoNanos() >= hold / 2) {
            notResumed += ": its hand-over " + secs(in.agoNanos()) + " ago is past half the peer's " + secs(hold) + " hold";
        } else if (faultCause(s).isEmpty()) {
            String held = p.version() == 3
                    ? "peer held by a " + centis(in.advertIntervalCentis()) + " hand-over advert"
                    : "peer held for " + secs(hold) + " by our last advert";
            // an INIT -> MASTER like the address owner's: its role actions re-run (idempotent) and it is mailed, if at
            // all, as a vrrp_start, never as a failover
            return becomeMaster(s, now, VrrpState.INIT, "resumed after a planned agent restart "
                    + secs(in.agoNanos()) + " ago (" + held + ")", now + hold / 2 - in.agoNanos());
        }
        return started(prev, now, notResumed); // a fault says why itself
    }

    /**
     * A planned agent restart: the services stay running and the next agent resumes ({@link #startedAfterHandOver}).
     * A MASTER must not send priority 0 (the peer would take over after its skew time while our Redis, left running, is
     * still a master) nor fall silent for long. RFC 5798 §6.4.2: a v3 backup adopts the master's advertised interval,
     * Master_Down_Interval = 3 × that + skew; keepalived does the same (vrrp.c, vrrp_state_backup). So a v3 MASTER
     * advertises its priority with a long interval ({@link #HAND_OVER_ADVERT_CENTIS}), and the peer holds for 3 × that.
     * VRRP v2 cannot carry another interval (keepalived drops such adverts), so a v2 MASTER sends one last ordinary
     * advert and falls silent: the peer holds for 3 × advert_int. No transition either way: no hook, mail or role action runs.
     */
    private Decision plannedRestart(ElectionState prev) {
        if (prev.state() != VrrpState.MASTER) {
            return stopped(prev);
        }
        int prio = effectivePriority(prev);
        int centis = p.version() == 3 ? HAND_OVER_ADVERT_CENTIS : p.advertIntervalCentis();
        long hold = handOverHoldNanos(centis);
        String sent = p.version() == 3
                ? "advertised priority " + prio + " with a " + centis(centis) + " interval, so the peer waits "
                + secs(hold) + " and more before it takes over"
                : "sent a last advert and fell silent (VRRP v2 cannot advertise a longer interval), so the peer takes"
                + " over after " + secs(hold) + " and its skew time";
        ElectionState next = ElectionState.initial().withDownChecks(prev.downChecks())
                .withPromotionRefused(prev.promotionRefused()).withHold(prev.hold());
        return new Decision(next, List.of(new HandOver(prio, centis, hold)), Long.MAX_VALUE, Optional.of(prefix()
                + "MASTER handed over for a planned agent restart: " + sent + " unless the next agent resumes first;"
                + " the Redis and the address stay as they are"));
    }

    private Decision stopped(ElectionState prev) {
        if (prev.state() == VrrpState.INIT) {
            return quiet(prev);
        }
        int prio = effectivePriority(prev);
        List<Action> actions = new ArrayList<>();
        String reason = "stopped";
        if (prev.state() == VrrpState.MASTER) {
            // RFC 5798 §6.4.3 Shutdown: priority 0 lets a backup take over after Skew_Time
            actions.add(new SendAdvert(0, p.advertIntervalCentis()));
            reason = "stopped, sent priority 0 so a backup takes over after skew time";
        }
        actions.add(new ReturnToInit(prev.state(), reason, Optional.empty(), prio));
        return transition(ElectionState.initial().withDownChecks(prev.downChecks()).withPromotionRefused(prev.promotionRefused())
                        .withHold(prev.hold()), actions, prev.state(), reason);
    }

    private Decision timePassed(ElectionState prev, long now) {
        if (prev.awaitingLease().isPresent() && prev.state() == VrrpState.INIT && now >= prev.downAtNanos()) {
            // at start the lease did not come in time: start as any node does, and ask again when the election says so
            return started(prev.withAwaitingLease(Optional.empty()), now, "; the lease did not come within "
                    + secs(now - prev.startedNanos()));
        }
        switch (prev.state()) {
            case MASTER -> {
                if (now < prev.advertDueNanos()) {
                    return quiet(prev);
                }
                return new Decision(prev.withAdvertDue(now + advertNanos()),
                        List.of(new SendAdvert(effectivePriority(prev), p.advertIntervalCentis())),
                        now + advertNanos(), Optional.empty());
            }
            case BACKUP -> {
                Optional<String> fault = faultCause(prev);
                if (fault.isPresent() && now >= startupEnds(prev)) {
                    String reason = fault.get() + " at the end of the startup delay";
                    ElectionState next = prev.withState(VrrpState.FAULT).withAdvertDue(ElectionState.NEVER)
                            .withDownAt(ElectionState.NEVER).withLowerSince(ElectionState.NEVER);
                    return transition(next, List.of(new EnterFault(VrrpState.BACKUP, reason, prev.master(),
                            effectivePriority(prev))), VrrpState.BACKUP, reason);
                }
                if (following(prev) && prev.advertDueNanos() != ElectionState.NEVER && now >= prev.advertDueNanos()
                        && now < prev.downAtNanos()) {
                    ElectionState next = prev.withAdvertDue(now + advertNanos());
                    return new Decision(next, List.of(new SendFollowerAdvert(effectivePriority(prev),
                            p.advertIntervalCentis())), wakeAt(next), Optional.empty());
                }
                if (now < prev.downAtNanos()) {
                    return quiet(prev);
                }
                long startupEnds = startupEnds(prev);
                if (now < startupEnds) {
                    // startup_delay: a fresh node does not go MASTER before it had time to hear its peers
                    return quiet(prev.withDownAt(startupEnds));
                }
                String reason;
                if (drained(prev).isPresent()) {
                    // keep out of elections: say once why nobody here takes over, and wait for an advert or a resume
                    String what = prev.master().isEmpty() ? noMasterHeard(prev, now)
                            : prev.masterPriority() == 0 ? "master " + prev.master().get() + " left (sent priority 0) "
                            + secs(now - prev.lastHeardNanos()) + " ago"
                            : "master " + prev.master().get() + " silent for " + secs(now - prev.lastHeardNanos());
                    ElectionState next = prev.withDownAt(ElectionState.NEVER);
                    return new Decision(next, List.of(), wakeAt(next), Optional.of(prefix() + what
                            + "; staying BACKUP because the node is drained (" + drained(prev).get().why()
                            + ") until it is resumed"));
                }
                if (prev.master().isEmpty()) {
                    reason = noMasterHeard(prev, now);
                } else if (prev.masterPriority() == 0) {
                    reason = "master " + prev.master().get() + " left (sent priority 0) "
                            + secs(now - prev.lastHeardNanos()) + " ago";
                } else {
                    reason = "master " + prev.master().get() + " silent for " + secs(now - prev.lastHeardNanos());
                }
                return becomeMaster(prev, now, VrrpState.BACKUP, reason);
            }
            default -> {
                return quiet(prev);
            }
        }
    }

    private Decision advertReceived(AdvertReceived a, ElectionState prev, long now) {
        if (prev.state() == VrrpState.INIT || prev.state() == VrrpState.FAULT || a.source().equals(p.source())) {
            return quiet(prev);
        }
        if (a.follower()) {
            return quiet(prev); // a leased peer follows us: its agreement is the lease's business, not the election's
        }
        ElectionState s = prev;
        int masterCentis = p.advertIntervalCentis();
        boolean mismatch = a.advertIntervalCentis() != p.advertIntervalCentis();
        boolean first = mismatch && !s.mismatchLogged().contains(a.source());
        if (mismatch) {
            if (p.version() == 2) {
                if (first) {
                    s = s.withMismatchLogged(plus(s.mismatchLogged(), a.source()));
                }
                // keepalived drops v2 adverts with another interval; do the same for interop
                Optional<String> note = first
                        ? Optional.of(prefix() + "dropped advert from " + a.source() + " with interval "
                        + centis(a.advertIntervalCentis()) + ", ours " + centis(p.advertIntervalCentis())
                        + " (VRRP v2 cannot adopt it; set the same advert_int on every node); logged once")
                        : Optional.empty();
                return new Decision(s, List.of(), wakeAt(s), note);
            }
            // RFC 5798 §6.4.2: a v3 backup adopts the master's advertised interval
            masterCentis = a.advertIntervalCentis();
        }
        int ours = effectivePriority(s);
        Decision d = s.state() == VrrpState.MASTER
                ? masterHeard(a, s, now, ours, masterCentis)
                : backupHeard(a, s, now, ours, masterCentis);
        boolean adopted = d.state().state() == VrrpState.BACKUP && d.state().master().equals(Optional.of(a.source()))
                && d.state().lastHeardNanos() == now;
        if (!first || !adopted) {
            return d;
        }
        String note = "adopted advert interval " + centis(masterCentis) + " from master " + a.source() + ", ours "
                + centis(p.advertIntervalCentis()) + " (RFC 5798 §6.4.2; logged once)";
        String joined = d.sentence().map(x -> x + "; ").orElse(prefix()) + note;
        return new Decision(d.state().withMismatchLogged(plus(d.state().mismatchLogged(), a.source())), d.actions(),
                d.nextWakeAtNanos(), Optional.of(joined));
    }

    private static Set<Ipv4> plus(Set<Ipv4> set, Ipv4 one) {
        Set<Ipv4> out = new HashSet<>(set);
        out.add(one);
        return out;
    }

    private Decision masterHeard(AdvertReceived a, ElectionState s, long now, int ours, int masterCentis) {
        if (a.priority() == 0) {
            // RFC 5798 §6.4.3: answer a priority-0 advert at once
            ElectionState next = s.withAdvertDue(now + advertNanos());
            return new Decision(next, List.of(new SendAdvert(ours, p.advertIntervalCentis())), wakeAt(next),
                    Optional.empty());
        }
        boolean higher = a.priority() > ours;
        boolean tieWon = a.priority() == ours && a.source().compareTo(p.source()) > 0;
        if ((higher || tieWon) && s.leaseEpoch() != ElectionState.NO_LEASE) {
            // Behind a lease the lease decides who is master, not the priority: the holder stays, and the other side
            // (a master by the failsafe, which hears a non-follower advert) leaves. Yielding here too would leave
            // nobody: after a healed partition both sides would give way at once.
            ElectionState next = s.withAdvertDue(now + advertNanos());
            return new Decision(next, List.of(new SendAdvert(ours, p.advertIntervalCentis())), wakeAt(next),
                    Optional.of(prefix() + "received advert from " + a.source() + " with " + (higher ? "higher" : "equal")
                            + " priority " + a.priority() + ", ours " + ours + ": stays MASTER, as it holds the lease"
                            + " (epoch 0x" + Long.toHexString(s.leaseEpoch()) + "); sent ours at once"));
        }
        if (higher || tieWon) {
            String reason = higher
                    ? "received advert from " + a.source() + " with higher priority " + a.priority() + ", ours " + ours
                    : "received advert from " + a.source() + " with equal priority " + a.priority()
                    + " and a higher address than ours " + p.source();
            ElectionState next = s.withState(VrrpState.BACKUP).withLeaseEpoch(ElectionState.NO_LEASE)
                    .withMaster(Optional.of(a.source()), a.priority(), masterCentis, now)
                    .withAdvertDue(ElectionState.NEVER).withLowerSince(ElectionState.NEVER)
                    .withDownAt(now + masterDownIntervalNanos(ours, masterCentis));
            // Still MASTER at this instant: tell the winner, which re-asserts (see SendAdvertTo), then yield.
            return transition(next, List.of(new SendAdvertTo(a.source(), ours, p.advertIntervalCentis()),
                    new BecomeBackup(VrrpState.MASTER, reason, Optional.of(a.source()), ours)), VrrpState.MASTER, reason);
        }
        // keepalived "forcing new election": answer a lower-priority master at once, and re-assert what
        // we own, since after a healed partition that master may hold our address
        ElectionState next = s.withAdvertDue(now + advertNanos());
        return new Decision(next,
                List.of(new SendAdvert(ours, p.advertIntervalCentis()),
                        new ReassertMaster(a.source(), a.priority(), ours)),
                wakeAt(next),
                Optional.of(prefix() + "received advert from " + a.source()
                        + (a.priority() == ours
                        ? " with equal priority " + a.priority() + " and a lower address than ours " + p.source()
                        : " with lower priority " + a.priority() + ", ours " + ours)
                        + ": sent ours at once (forcing new election) and re-asserted the address"));
    }

    private Decision backupHeard(AdvertReceived a, ElectionState s, long now, int ours, int masterCentis) {
        if (a.priority() == 0) {
            ElectionState left = s.withMaster(Optional.of(a.source()), 0, masterCentis, now);
            if (p.leased() && drained(s).isEmpty() && now >= startupEnds(s)) {
                // the skew time orders several backups; behind a lease there is one peer and the lease decides
                return becomeMaster(left, now, VrrpState.BACKUP, "master " + a.source()
                        + " left (sent priority 0)");
            }
            // RFC 5798 §6.4.2: the master is leaving; take over after Skew_Time, not Master_Down_Interval
            long skew = skewNanos(ours, masterCentis);
            ElectionState next = left.withDownAt(now + skew);
            return new Decision(next, List.of(), wakeAt(next), Optional.of(prefix() + "master " + a.source()
                    + " sent priority 0 (leaving); taking over in " + secs(skew) + " unless another master speaks"));
        }
        // a node an operator stepped down or drained follows whoever is master: it must not preempt its way back
        boolean follow = !preempts() || a.priority() >= ours || s.hold().isPresent();
        long lowerSince = s.lowerSinceNanos();
        if (!follow) {
            if (lowerSince == ElectionState.NEVER) {
                lowerSince = now;
            }
            // preempt_delay: keep following a lower-priority master for that long before preempting it
            follow = now < lowerSince + p.preemptDelayNanos();
        } else {
            lowerSince = ElectionState.NEVER;
        }
        ElectionState next = s.withLowerSince(lowerSince);
        if (follow) {
            next = next.withMaster(Optional.of(a.source()), a.priority(), masterCentis, now)
                    .withDownAt(now + masterDownIntervalNanos(ours, masterCentis));
            if (s.awaitingLease().isPresent()) {
                // a master speaks: MASTER is not wanted any more (releaseLeaseNoLongerWanted lets the lease go)
                next = next.withAwaitingLease(Optional.empty()).withAdvertDue(sendsFollowerAdverts() ? now
                        : ElectionState.NEVER);
                return new Decision(next, List.of(), wakeAt(next), Optional.of(prefix() + "master " + a.source()
                        + " advertises priority " + a.priority() + ": no longer waiting for the lease"));
            }
            if (sendsFollowerAdverts() && next.advertDueNanos() == ElectionState.NEVER) {
                next = next.withAdvertDue(now); // the first follower advert goes at once
            }
        }
        // otherwise RFC 5798 §6.4.2: discard; Master_Down_Timer runs out and we preempt
        return new Decision(next, List.of(), wakeAt(next), Optional.empty());
    }

    private Decision trackChanged(String check, boolean down, ElectionState prev, long now) {
        Optional<VrrpInstance.Track> track = p.tracks().stream().filter(t -> t.check().equals(check)).findFirst();
        if (track.isEmpty() || prev.downChecks().contains(check) == down) {
            return quiet(prev);
        }
        Set<String> checks = new HashSet<>(prev.downChecks());
        if (down) {
            checks.add(check);
        } else {
            checks.remove(check);
        }
        String what = "tracked check " + check + (down ? " went down" : " came back up") + " (weight "
                + track.get().weight() + ")";
        return faultOrPriorityChanged(prev, prev.withDownChecks(checks), what, now);
    }

    /** The promotion guard: a refusal holds the instance in FAULT as a weight-0 tracked check that is down would. */
    private Decision guardChanged(boolean refused, String why, ElectionState prev, long now) {
        if (prev.promotionRefused() == refused) {
            return quiet(prev);
        }
        String what = refused ? "the local Redis must not be promoted: " + why : "the promotion guard lifted: " + why;
        return faultOrPriorityChanged(prev, prev.withPromotionRefused(refused), what, now);
    }

    /** {@code s}: {@code prev} with a tracked check or the guard changed, as {@code what} says. */
    private Decision faultOrPriorityChanged(ElectionState prev, ElectionState s, String what, long now) {
        int before = effectivePriority(prev);
        int after = effectivePriority(s);
        boolean faultBefore = faultCause(prev).isPresent();
        boolean faultAfter = faultCause(s).isPresent();
        VrrpState st = prev.state();
        if (st == VrrpState.INIT) {
            return quiet(s);
        }
        if (!faultBefore && faultAfter && st == VrrpState.BACKUP && now < startupEnds(s)) {
            // Right after start a supervised service may not answer yet: its first failed check is judged at the
            // end of the startup delay, so a boot does not flash BACKUP -> FAULT -> BACKUP. The node cannot take
            // MASTER meanwhile anyway.
            return new Decision(s, List.of(), wakeAt(s), Optional.of(prefix() + what
                    + " during the startup delay: FAULT if it is still down in " + secs(startupEnds(s) - now)));
        }
        if (faultBefore && !faultAfter && st == VrrpState.BACKUP) {
            return new Decision(s, List.of(), wakeAt(s), Optional.of(prefix() + what + " within the startup delay"));
        }
        if (!faultBefore && faultAfter) {
            return enterFault(s, what);
        }
        if (faultBefore && !faultAfter && st == VrrpState.FAULT) {
            return leaveFault(s, what, now);
        }
        if (before == after) {
            return quiet(s);
        }
        List<Action> actions = new ArrayList<>();
        ElectionState next = s;
        if (st == VrrpState.MASTER) {
            // tell the backups now rather than at the next advert, so a preempting backup need not wait
            actions.add(new SendAdvert(after, p.advertIntervalCentis()));
            next = s.withAdvertDue(now + advertNanos());
        }
        return new Decision(next, actions, wakeAt(next),
                Optional.of(prefix() + "priority " + before + " -> " + after + ": " + what));
    }

    /**
     * keepalived keeps the election across a reload; so do we. The state stays, with no transition (and so no
     * hook, mail, Redis action or address move) unless the new tracking demands one: a newly tracked weight-0
     * check that is down acts as if it had just gone down, and a FAULT whose faulting check is no longer
     * tracked (or down) returns to BACKUP. A MASTER advertises its new priority and interval at once, so a
     * peer that now outranks it preempts by the ordinary rules (RFC 5798 §6.4.2), in one transition.
     */
    private Decision reconfigured(Reconfigured r, ElectionState prev, long now) {
        Set<String> tracked = new HashSet<>();
        p.tracks().forEach(t -> tracked.add(t.check()));
        Set<String> down = new HashSet<>(r.downChecks());
        down.retainAll(tracked);
        ElectionState s = prev.withDownChecks(down);
        String what = "reconfigured in place by a reload"
                + (r.changes().isEmpty() ? "" : " (" + String.join(", ", r.changes()) + ")");
        VrrpState st = prev.state();
        if (st == VrrpState.INIT) {
            return quiet(s);
        }
        int prio = effectivePriority(s);
        Optional<String> fault = faultCause(s);
        if (st != VrrpState.FAULT && fault.isPresent()) {
            String reason = what + ": " + fault.get();
            if (st == VrrpState.BACKUP && now < startupEnds(s)) {
                return new Decision(s, List.of(), wakeAt(s), Optional.of(prefix() + reason
                        + ": FAULT if it is still down in " + secs(startupEnds(s) - now)));
            }
            return enterFault(s, reason);
        }
        if (st == VrrpState.FAULT && fault.isEmpty()) {
            return leaveFault(s, what + ": nothing holds it in FAULT any more", now);
        }
        if (st == VrrpState.MASTER) {
            // the peers learn the new priority and interval now, not at the next advert
            ElectionState next = s.withAdvertDue(now + advertNanos())
                    .withMaster(Optional.of(p.source()), prio, p.advertIntervalCentis(), s.lastHeardNanos());
            return new Decision(next, List.of(new SendAdvert(prio, p.advertIntervalCentis())), wakeAt(next),
                    Optional.of(prefix() + what + "; still MASTER at priority " + prio + ", advertised at once"));
        }
        return new Decision(s, List.of(), wakeAt(s), Optional.of(prefix() + what + "; still " + st + " at priority " + prio
                + (st == VrrpState.FAULT ? " while " + fault.orElseThrow() : "")));
    }

    /**
     * An operator holds this node back ({@code hold}). A MASTER hands over as at shutdown (RFC 5798 §6.4.3): it sends
     * priority 0, so the peer takes over after its skew time rather than a master-down interval, and becomes BACKUP
     * with no master named: who took over is learned from its first advert, and only then is the local Redis made
     * its replica (naming the peer now would point each Redis at the other until the peer promoted). The caller let
     * the peer's Redis catch up first; {@code why} says how far, for the one sentence. A switchover of a node that is
     * not MASTER changes nothing; a drain holds any state.
     */
    private Decision held(ElectionHold hold, ElectionState prev, long now) {
        VrrpState st = prev.state();
        if (st == VrrpState.MASTER) {
            String reason = hold.why() + ", sent priority 0";
            ElectionState next = prev.withState(VrrpState.BACKUP).withHold(Optional.of(hold))
                    .withLeaseEpoch(ElectionState.NO_LEASE)
                    .withMaster(Optional.empty(), 0, p.advertIntervalCentis(), now)
                    .withAdvertDue(ElectionState.NEVER).withLowerSince(ElectionState.NEVER)
                    .withDownAt(now + masterDownIntervalNanos(effectivePriority(prev), p.advertIntervalCentis()));
            return transition(next, List.of(new SendAdvert(0, p.advertIntervalCentis()),
                    new BecomeBackup(VrrpState.MASTER, reason, Optional.empty(), effectivePriority(prev))), st, reason);
        }
        if (hold.kind() == ElectionHold.Kind.STEPPED_DOWN || prev.hold().equals(Optional.of(hold))) {
            return quiet(prev);
        }
        ElectionState next = prev.withHold(Optional.of(hold)).withAwaitingLease(Optional.empty())
                .withAdvertDue(prev.state() == VrrpState.MASTER ? prev.advertDueNanos() : ElectionState.NEVER);
        return new Decision(next, List.of(), wakeAt(next), Optional.of(prefix() + "drained: " + hold.why()
                + "; stays " + (st == VrrpState.INIT ? "out of" : st + " and takes no part in") + " elections until the node is resumed"));
    }

    /** An operator resumed the node: whatever held it ends, and a BACKUP with no master in sight waits one master-down interval. */
    private Decision resumed(String why, ElectionState prev, long now) {
        if (prev.hold().isEmpty()) {
            return quiet(prev);
        }
        ElectionState next = prev.withHold(Optional.empty());
        if (next.state() == VrrpState.BACKUP && next.downAtNanos() == ElectionState.NEVER) {
            next = next.withDownAt(now + masterDownIntervalNanos(effectivePriority(next), next.masterAdvertCentis() > 0
                    ? next.masterAdvertCentis() : p.advertIntervalCentis()));
        }
        return new Decision(next, List.of(), wakeAt(next), Optional.of(prefix() + why + ": takes part in elections again"));
    }

    private static Optional<ElectionHold> drained(ElectionState s) {
        return s.hold().filter(h -> h.kind() == ElectionHold.Kind.DRAINED);
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** {@code s} (BACKUP or MASTER) must be in FAULT now, because {@code reason}. */
    private Decision enterFault(ElectionState s, String reason) {
        VrrpState st = s.state();
        List<Action> actions = new ArrayList<>();
        if (st == VrrpState.MASTER) {
            // keepalived: leaving MASTER for FAULT sends priority 0 so a backup takes over after skew time
            actions.add(new SendAdvert(0, p.advertIntervalCentis()));
            reason += ", sent priority 0";
        }
        Optional<Ipv4> master = st == VrrpState.MASTER ? Optional.empty() : s.master();
        actions.add(new EnterFault(st, reason, master, effectivePriority(s)));
        ElectionState next = s.withState(VrrpState.FAULT).withAdvertDue(ElectionState.NEVER)
                .withDownAt(ElectionState.NEVER).withLowerSince(ElectionState.NEVER)
                .withMaster(master, s.masterPriority(), s.masterAdvertCentis(), s.lastHeardNanos())
                .withAwaitingLease(Optional.empty()).withLeaseEpoch(ElectionState.NO_LEASE);
        return transition(next, actions, st, reason);
    }

    /** Nothing holds {@code s} (FAULT) there any more ({@code reason}): BACKUP, waiting to hear a master. */
    private Decision leaveFault(ElectionState s, String reason, long now) {
        int prio = effectivePriority(s);
        long downAt = Math.max(now + masterDownIntervalNanos(prio, p.advertIntervalCentis()),
                s.startedNanos() + p.startupDelayNanos());
        ElectionState next = s.withState(VrrpState.BACKUP).withDownAt(downAt)
                .withMaster(Optional.empty(), 0, p.advertIntervalCentis(), now);
        return transition(next, List.of(new BecomeBackup(s.state(), reason, Optional.empty(), prio)), s.state(), reason);
    }

    private Decision becomeMaster(ElectionState prev, long now, VrrpState from, String reason) {
        return becomeMaster(prev, now, from, reason, ElectionState.NEVER);
    }

    /**
     * {@code giveUpAt}: at start (from INIT), when to stop waiting for the lease and start as any node does; unused
     * otherwise.
     */
    private Decision becomeMaster(ElectionState prev, long now, VrrpState from, String reason, long giveUpAt) {
        if (p.leased() && prev.leaseEpoch() == ElectionState.NO_LEASE) {
            return askLease(prev, now, from, reason, giveUpAt);
        }
        int prio = effectivePriority(prev);
        // MASTER again (a failover after a switchover): the switchover's hold has done its work
        ElectionState next = prev.withState(VrrpState.MASTER).withHold(Optional.empty())
                .withAwaitingLease(Optional.empty())
                .withMaster(Optional.of(p.source()), prio, p.advertIntervalCentis(), now)
                .withAdvertDue(now + advertNanos()).withDownAt(ElectionState.NEVER)
                .withLowerSince(ElectionState.NEVER);
        return transition(next,
                List.of(new SendAdvert(prio, p.advertIntervalCentis()),
                        new BecomeMaster(from, reason, Optional.of(p.source()), prio)),
                from, reason);
    }

    /**
     * A leased instance that would be MASTER asks for the lease first and stays where it is, silent: a BACKUP stays
     * BACKUP, a node at start stays INIT (no transition, so a MASTER resumed after a planned restart does not release
     * its address only to take it back) until {@code giveUpAt}. A master it hears meanwhile it follows again, and stops
     * asking ({@link #backupHeard}).
     */
    private Decision askLease(ElectionState prev, long now, VrrpState from, String reason, long giveUpAt) {
        if (prev.awaitingLease().isPresent()) {
            return quiet(prev);
        }
        ElectionState next = prev.withAwaitingLease(Optional.of(reason)).withAdvertDue(ElectionState.NEVER)
                .withDownAt(from == VrrpState.INIT ? giveUpAt : ElectionState.NEVER)
                .withLowerSince(ElectionState.NEVER);
        String until = from == VrrpState.INIT ? " (at most " + secs(giveUpAt - now) + ", then it starts as BACKUP)" : "";
        return new Decision(next, List.of(new AskLease(reason)), wakeAt(next), Optional.of(prefix() + from
                + " would become MASTER (" + reason + "): asked for the lease first" + until));
    }

    /** The lease asked for came: MASTER, with its epoch; unless, at start, a fault appeared meanwhile. */
    private Decision leaseGranted(long epoch, ElectionState prev, long now) {
        Optional<String> why = prev.awaitingLease();
        if (why.isEmpty() || prev.state() == VrrpState.MASTER) {
            return quiet(prev); // not asked for: the lease side deletes what nobody wants
        }
        if (prev.state() == VrrpState.INIT && faultCause(prev).isPresent()) {
            return started(prev.withAwaitingLease(Optional.empty()), now, "");
        }
        ElectionState s = prev.withAwaitingLease(Optional.empty()).withLeaseEpoch(epoch);
        return becomeMaster(s, now, prev.state(), why.get() + "; acquired the lease (epoch 0x"
                + Long.toHexString(epoch) + ")");
    }

    /**
     * The lease of a MASTER is gone or may be: leave as for a switchover (priority 0, so the peer takes over after its
     * skew time), and name the pair's peer as the master, so the role actions make the local Redis its replica at once:
     * it stops taking writes, and writes paused meanwhile fail rather than diverge. No master heard after a master-down
     * interval: it asks for the lease again.
     */
    private Decision leaseLost(String why, ElectionState prev, long now) {
        if (prev.state() != VrrpState.MASTER) {
            return quiet(prev.withLeaseEpoch(ElectionState.NO_LEASE));
        }
        int prio = effectivePriority(prev);
        String reason = "lost the lease: " + why + ", sent priority 0";
        ElectionState next = prev.withState(VrrpState.BACKUP).withLeaseEpoch(ElectionState.NO_LEASE)
                .withMaster(Optional.empty(), 0, p.advertIntervalCentis(), now)
                .withAdvertDue(ElectionState.NEVER).withLowerSince(ElectionState.NEVER)
                .withDownAt(now + masterDownIntervalNanos(prio, p.advertIntervalCentis()));
        return transition(next, List.of(new SendAdvert(0, p.advertIntervalCentis()),
                new BecomeBackup(VrrpState.MASTER, reason, p.pairPeer(), prio)), VrrpState.MASTER, reason);
    }

    private Decision transition(ElectionState next, List<Action> actions, VrrpState from, String reason) {
        return new Decision(next, actions, wakeAt(next),
                Optional.of(prefix() + from + " -> " + next.state().enteredAs() + ": " + reason));
    }

    private Decision quiet(ElectionState s) {
        return new Decision(s, List.of(), wakeAt(s), Optional.empty());
    }

    private long wakeAt(ElectionState s) {
        if (s.awaitingLease().isPresent() && s.state() == VrrpState.INIT) {
            return s.downAtNanos();
        }
        if (s.awaitingLease().isPresent() && s.state() == VrrpState.BACKUP) {
            return faultCause(s).isPresent() ? startupEnds(s) : Long.MAX_VALUE;
        }
        return switch (s.state()) {
            case MASTER -> s.advertDueNanos();
            // a FAULT deferred through the startup delay is decided when the delay ends
            case BACKUP -> {
                // a drained BACKUP whose master went quiet has no timer: it waits for an advert or a resume
                long downAt = s.downAtNanos() == ElectionState.NEVER ? Long.MAX_VALUE : s.downAtNanos();
                if (following(s) && s.advertDueNanos() != ElectionState.NEVER) {
                    downAt = Math.min(downAt, s.advertDueNanos());
                }
                yield faultCause(s).isPresent() ? Math.min(downAt, startupEnds(s)) : downAt;
            }
            default -> Long.MAX_VALUE;
        };
    }

    private long startupEnds(ElectionState s) {
        return s.startedNanos() + p.startupDelayNanos();
    }

    /**
     * Why the instance must be in FAULT, as a clause ("tracked check redis is down"), if it must: the promotion
     * guard refuses the local Redis, or a check tracked with weight 0 is down.
     */
    private Optional<String> faultCause(ElectionState s) {
        if (s.promotionRefused()) {
            return Optional.of("the promotion guard refuses the local Redis");
        }
        return faultingCheck(s.downChecks()).map(c -> "tracked check " + c + " is down");
    }

    private Optional<String> faultingCheck(Set<String> down) {
        return p.tracks().stream().filter(t -> t.weight() == 0 && down.contains(t.check()))
                .map(VrrpInstance.Track::check).findFirst();
    }

    private long advertNanos() {
        return p.advertIntervalCentis() * NANOS_PER_CENTI;
    }

    private String prefix() {
        return "(" + p.name() + ") ";
    }

    private static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }

    private static String centis(int c) {
        return String.format(Locale.ROOT, "%.2fs", c / 100.0);
    }
}
