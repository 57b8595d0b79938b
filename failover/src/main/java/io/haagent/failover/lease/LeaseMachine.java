package io.haagent.failover.lease;

import io.haagent.failover.lease.LeaseAction.AcquireLease;
import io.haagent.failover.lease.LeaseAction.DeleteLease;
import io.haagent.failover.lease.LeaseAction.Demote;
import io.haagent.failover.lease.LeaseAction.PauseWrites;
import io.haagent.failover.lease.LeaseAction.SendRenewal;
import io.haagent.failover.lease.LeaseAction.StopAcquiring;
import io.haagent.failover.lease.LeaseAction.TakeMaster;
import io.haagent.failover.lease.LeaseAction.UnpauseWrites;
import io.haagent.failover.lease.LeaseInput.AcquireFailed;
import io.haagent.failover.lease.LeaseInput.Acquired;
import io.haagent.failover.lease.LeaseInput.HeldByOther;
import io.haagent.failover.lease.LeaseInput.LeaseGone;
import io.haagent.failover.lease.LeaseInput.LeftMaster;
import io.haagent.failover.lease.LeaseInput.Lost;
import io.haagent.failover.lease.LeaseInput.PeerAdvertHeard;
import io.haagent.failover.lease.LeaseInput.Reconnected;
import io.haagent.failover.lease.LeaseInput.RenewalAcked;
import io.haagent.failover.lease.LeaseInput.Suspended;
import io.haagent.failover.lease.LeaseInput.TimePassed;
import io.haagent.failover.lease.LeaseInput.WantsMaster;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The lease of one instance: MASTER only while it holds the lease, a blip paused through, a demotion at its own
 * deadline, and Patroni's failsafe when ZooKeeper itself is gone. A pure function of (input, previous state, time);
 * stateless itself and safe to share.
 */
public final class LeaseMachine {

    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final LeaseParams p;

    public LeaseMachine(LeaseParams params) {
        this.p = params;
    }

    public LeaseParams params() {
        return p;
    }

    /** Decides what {@code in} means for this instance at {@code nowNanos}. */
    public LeaseDecision decide(LeaseInput in, LeaseState prev, long nowNanos) {
        Draft d = new Draft(prev);
        // A renewal's answer and a peer's advert may still count at the deadline (the renewal was sent before it, the
        // advert is as fresh as can be); any other fact comes after the deadline's decision and cannot undo it:
        // a RECONNECTED past the deadline finds the instance already demoted.
        if (!(in instanceof RenewalAcked || in instanceof PeerAdvertHeard)) {
            settle(d, nowNanos);
        }
        switch (in) {
            case WantsMaster w -> wantsMaster(d);
            case LeftMaster l -> leftMaster(d, l.why());
            case Acquired a -> acquired(d, a, nowNanos);
            case HeldByOther h -> heldByOther(d, h);
            case AcquireFailed f -> acquireFailed(d, f.why(), nowNanos);
            case RenewalAcked r -> renewalAcked(d, r);
            case LeaseGone g -> leaseGone(d, g.why());
            case Suspended s -> suspended(d, nowNanos);
            case Reconnected r -> reconnected(d, r.sessionId(), nowNanos);
            case Lost l -> lost(d);
            case PeerAdvertHeard a -> peerAdvert(d, a, nowNanos);
            case TimePassed t -> timePassed(d, nowNanos);
        }
        settle(d, nowNanos);
        return new LeaseDecision(d.state, d.actions, wakeAt(d.state),
                d.sentence.map(s -> "(" + p.instance() + ") lease: " + s));
    }

    /**
     * May an irreversible step ({@code REPLICAOF NO ONE}, an address move) run now? Only while the lease is ours and
     * before its deadline; ask immediately before the step, and tag it with the granted epoch.
     */
    public Fence fence(LeaseState s, long nowNanos) {
        if (s.holds() && nowNanos < s.deadlineNanos()) {
            return new Fence.Granted(s.epoch());
        }
        return new Fence.Refused(switch (s.phase()) {
            case HELD, SUSPENDED -> "the lease's deadline passed " + secs(nowNanos - s.deadlineNanos()) + " ago";
            case FAILSAFE -> "MASTER by failsafe, without the lease";
            case ACQUIRING -> "the lease is not ours yet";
            case IDLE -> "the instance does not want MASTER";
        });
    }

    // --- inputs ----------------------------------------------------------------------------------

    private void wantsMaster(Draft d) {
        if (d.state.phase() == LeasePhase.IDLE) {
            d.state = d.state.withPhase(LeasePhase.ACQUIRING).withDue(LeaseState.NEVER).withWaitingFor("");
            d.act(new AcquireLease());
        }
    }

    /** Leaving MASTER for any reason deletes the lease at once: a Redis crash fails over as fast as without it. */
    private void leftMaster(Draft d, String why) {
        LeaseState s = d.state;
        switch (s.phase()) {
            case IDLE -> { }
            case ACQUIRING -> {
                d.act(new StopAcquiring());
                d.say("stopped acquiring the lease because " + why);
                d.state = s.idle();
            }
            case HELD, SUSPENDED, FAILSAFE -> {
                if (s.phase() == LeasePhase.SUSPENDED) {
                    d.act(new UnpauseWrites());
                }
                if (s.phase() == LeasePhase.FAILSAFE) {
                    d.act(new StopAcquiring());
                }
                if (s.epoch() != LeaseState.NO_EPOCH) {
                    d.act(new DeleteLease(s.epoch()));
                }
                d.say("released the lease" + epochClause(s.epoch()) + " at once because " + why);
                d.state = s.idle();
            }
        }
    }

    private void acquired(Draft d, Acquired a, long now) {
        LeaseState s = d.state;
        switch (s.phase()) {
            case IDLE -> {
                d.act(new DeleteLease(a.epoch()));
                d.say("released the lease (epoch " + hex(a.epoch()) + ") acquired after MASTER was no longer wanted");
            }
            case HELD, SUSPENDED -> {
                if (a.epoch() != s.epoch()) {
                    d.act(new DeleteLease(a.epoch())); // ours is the older one: never leave a second node behind
                }
            }
            case ACQUIRING, FAILSAFE -> {
                long deadline = a.sentAtNanos() + p.trustedNanos();
                if (deadline <= now) {
                    // the session may have expired before the answer came: nothing to count on
                    d.act(new DeleteLease(a.epoch()));
                    d.act(new AcquireLease());
                    d.say("acquired the lease (epoch " + hex(a.epoch()) + ") too late to count on it, "
                            + secs(now - a.sentAtNanos()) + " after asking; acquiring again");
                    return;
                }
                d.state = s.withPhase(LeasePhase.HELD).withLease(a.epoch(), a.sessionId())
                        .withDeadline(deadline, a.sentAtNanos()).withDue(a.sentAtNanos() + p.renewEveryNanos())
                        .withSuspended(LeaseState.NEVER).withWaitingFor("");
                String lease = "(epoch " + hex(a.epoch()) + ", session " + hex(a.sessionId()) + ")";
                if (s.phase() == LeasePhase.ACQUIRING) {
                    d.act(new TakeMaster(a.epoch()));
                    d.say("acquired the lease " + lease + "; MASTER allowed");
                } else {
                    d.say("acquired the lease again " + lease + "; the failsafe ends");
                }
            }
        }
    }

    private void heldByOther(Draft d, HeldByOther h) {
        String holder = h.holder() + " (session " + hex(h.sessionId()) + ")";
        switch (d.state.phase()) {
            case IDLE -> { }
            case ACQUIRING -> {
                if (!d.state.waitingFor().equals(holder)) { // once per holder: steady state logs nothing
                    d.state = d.state.withWaitingFor(holder);
                    d.say("waiting for the lease held by " + holder + ", at most " + secs(h.atMostNanos()));
                }
            }
            case HELD, SUSPENDED, FAILSAFE -> demote(d, "the lease is held by " + holder);
        }
    }

    private void acquireFailed(Draft d, String why, long now) {
        LeaseState s = d.state;
        if (s.phase() != LeasePhase.ACQUIRING && s.phase() != LeasePhase.FAILSAFE) {
            return;
        }
        d.state = s.withDue(now + p.renewEveryNanos());
        String waiting = "failed: " + why;
        if (s.phase() == LeasePhase.ACQUIRING && !s.waitingFor().equals(waiting)) {
            d.state = d.state.withWaitingFor(waiting);
            d.say("could not acquire the lease (" + why + "); trying again every " + secs(p.renewEveryNanos()));
        }
    }

    private void renewalAcked(Draft d, RenewalAcked r) {
        LeaseState s = d.state;
        long deadline = r.sentAtNanos() + p.trustedNanos();
        // an older renewal answered late proves less than a newer one already did
        if (s.holds() && deadline > s.deadlineNanos()) {
            d.state = s.withDeadline(deadline, r.sentAtNanos());
        }
    }

    private void leaseGone(Draft d, String why) {
        if (d.state.holds()) {
            demote(d, "the lease is no longer ours (" + why + ")");
        }
    }

    /** A blip is latency, not an outage: writes wait until RECONNECTED, or fail at the deadline, and never diverge. */
    private void suspended(Draft d, long now) {
        LeaseState s = d.state;
        if (s.phase() != LeasePhase.HELD) {
            return;
        }
        long left = s.deadlineNanos() - now; // positive: the deadline was settled first
        // until the server could expire the session: past the deadline by the margin, so no write lands between the
        // deadline and the demotion making the Redis a replica, and none waits longer than the peer could need
        long pause = s.renewedNanos() + p.sessionTimeoutNanos() - now;
        d.state = s.withPhase(LeasePhase.SUSPENDED).withSuspended(now);
        d.act(new PauseWrites(Math.max(1, pause / NANOS_PER_MILLI)));
        d.say("SUSPENDED " + secs(now - s.renewedNanos()) + " after the last renewal; writes paused for at most "
                + secs(pause) + ", demoted at the deadline in " + secs(left) + " unless RECONNECTED");
    }

    private void reconnected(Draft d, long session, long now) {
        LeaseState s = d.state;
        switch (s.phase()) {
            case IDLE, ACQUIRING -> { }
            case HELD, SUSPENDED -> {
                if (session != s.sessionId()) {
                    // Curator's RECONNECTED also follows a LOST: a new session means the lease's session expired
                    demote(d, "RECONNECTED with a new session " + hex(session) + ": the lease's session "
                            + hex(s.sessionId()) + " expired");
                } else if (s.phase() == LeasePhase.SUSPENDED) {
                    d.state = s.withPhase(LeasePhase.HELD).withSuspended(LeaseState.NEVER)
                            .withDue(now + p.renewEveryNanos());
                    d.act(new UnpauseWrites());
                    d.act(new SendRenewal());
                    d.say("RECONNECTED with the same session " + hex(session) + " after " + secs(now - s.suspendedNanos())
                            + " SUSPENDED; writes unpaused");
                }
            }
            case FAILSAFE -> {
                d.state = s.withDue(LeaseState.NEVER);
                d.act(new AcquireLease());
                d.say("RECONNECTED (session " + hex(session) + "); acquiring the lease again, MASTER by failsafe"
                        + " until then");
            }
        }
    }

    private void lost(Draft d) {
        LeaseState s = d.state;
        if (s.holds()) {
            demote(d, "LOST: the lease's session " + hex(s.sessionId()) + " expired");
        } else if (s.phase() == LeasePhase.FAILSAFE) {
            // nothing changes: the lease was no longer counted on, and the peer still agrees
            d.say("LOST during the failsafe: the lease's session " + hex(s.sessionId())
                    + " expired; MASTER while the peer agrees");
        }
    }

    private void peerAdvert(Draft d, PeerAdvertHeard a, long now) {
        d.state = d.state.withPeerAgreed(a.lowerPriorityBackup() ? now : LeaseState.NEVER);
        if (d.state.phase() == LeasePhase.FAILSAFE && !a.lowerPriorityBackup()) {
            demote(d, "the failsafe ended: the peer advertised priority " + a.priority()
                    + ", not as a lower-priority BACKUP");
        }
    }

    private void timePassed(Draft d, long now) {
        LeaseState s = d.state;
        switch (s.phase()) {
            case IDLE, SUSPENDED -> { }
            case HELD -> {
                if (now >= s.dueNanos()) {
                    d.act(new SendRenewal());
                    d.state = s.withDue(now + p.renewEveryNanos());
                }
            }
            case ACQUIRING, FAILSAFE -> {
                if (s.dueNanos() != LeaseState.NEVER && now >= s.dueNanos()) {
                    d.act(new AcquireLease());
                    d.state = s.withDue(LeaseState.NEVER);
                }
                if (s.phase() == LeasePhase.FAILSAFE && !peerAgrees(s, now)) {
                    demote(d, "the failsafe ended: the peer was last heard as a lower-priority BACKUP "
                            + secs(now - s.peerAgreedNanos()) + " ago");
                }
            }
        }
    }

    // --- the deadline ----------------------------------------------------------------------------

    /**
     * At the deadline the server may have expired the session and the peer may hold the lease: leave MASTER, unless
     * the peer still advertises as a lower-priority BACKUP (Patroni's failsafe): then both sides agree, the peer cannot
     * be promoting, and a ZooKeeper without quorum does not take the service down.
     */
    private void settle(Draft d, long now) {
        LeaseState s = d.state;
        if (!s.holds() || now < s.deadlineNanos()) {
            return;
        }
        String passed = "deadline passed " + secs(now - s.renewedNanos()) + " after the last renewal";
        if (peerAgrees(s, now)) {
            if (s.phase() == LeasePhase.SUSPENDED) {
                d.act(new UnpauseWrites());
            }
            d.state = s.withPhase(LeasePhase.FAILSAFE).withDue(LeaseState.NEVER).withSuspended(LeaseState.NEVER);
            d.say(passed + " without ZooKeeper; stays MASTER without the lease (failsafe) because the peer advertised"
                    + " as a lower-priority BACKUP " + secs(now - s.peerAgreedNanos()) + " ago");
        } else {
            demote(d, passed + " without ZooKeeper, and the peer is not heard as a lower-priority BACKUP");
        }
    }

    private boolean peerAgrees(LeaseState s, long now) {
        return s.peerAgreedNanos() != LeaseState.NEVER && now - s.peerAgreedNanos() < p.failsafeWindowNanos();
    }

    /** Leave MASTER now; the lease node goes too if it is still ours, so the peer need not wait for the session. */
    private void demote(Draft d, String reason) {
        LeaseState s = d.state;
        if (s.phase() == LeasePhase.FAILSAFE) {
            d.act(new StopAcquiring());
        }
        if (s.epoch() != LeaseState.NO_EPOCH) {
            d.act(new DeleteLease(s.epoch()));
        }
        d.act(new Demote(reason));
        d.say("demoted because " + reason);
        d.state = s.idle();
    }

    private long wakeAt(LeaseState s) {
        return switch (s.phase()) {
            case IDLE -> Long.MAX_VALUE;
            case ACQUIRING -> orMax(s.dueNanos());
            case HELD -> Math.min(s.dueNanos(), s.deadlineNanos());
            case SUSPENDED -> s.deadlineNanos();
            case FAILSAFE -> Math.min(orMax(s.dueNanos()), s.peerAgreedNanos() + p.failsafeWindowNanos());
        };
    }

    private static long orMax(long t) {
        return t == LeaseState.NEVER ? Long.MAX_VALUE : t;
    }

    private static String epochClause(long epoch) {
        return epoch == LeaseState.NO_EPOCH ? "" : " (epoch " + hex(epoch) + ")";
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }

    /** One decision being drafted: the state so far, the actions in order, at most one sentence. */
    private static final class Draft {
        LeaseState state;
        final List<LeaseAction> actions = new ArrayList<>();
        Optional<String> sentence = Optional.empty();

        Draft(LeaseState state) {
            this.state = state;
        }

        void act(LeaseAction a) {
            actions.add(a);
        }

        /** A second fact in one decision (the deadline, then the input) joins the first: still one line. */
        void say(String s) {
            sentence = Optional.of(sentence.map(first -> first + "; then " + s).orElse(s));
        }
    }
}
