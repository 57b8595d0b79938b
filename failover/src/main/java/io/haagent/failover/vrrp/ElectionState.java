package io.haagent.failover.vrrp;

import io.haagent.config.Ipv4;
import java.util.Optional;
import java.util.Set;

/**
 * One instance's election state between two decisions; immutable, owned by the caller, handed back to
 * {@link VrrpMachine#decide}. Times are monotonic nanos; {@link #NEVER} marks a time not set.
 *
 * @param state                 the current state
 * @param master                the master as last heard (ourselves when MASTER), if any
 * @param masterPriority        the priority in the master's last advert
 * @param masterAdvertCentis    the master's advert interval (RFC 5798 §6.4.2: a v3 backup adopts it)
 * @param lastHeardNanos        when the master's last advert arrived
 * @param downAtNanos           BACKUP: when Master_Down_Timer fires
 * @param advertDueNanos        MASTER: when Adver_Timer fires
 * @param startedNanos          when the instance was started, for {@code startup_delay}
 * @param lowerSinceNanos       BACKUP: since when the master advertises a lower priority, for {@code preempt_delay}
 * @param downChecks            tracked checks currently down
 * @param promotionRefused      the local Redis must not be promoted (the promotion guard): FAULT until that lifts
 * @param mismatchLogged        peers whose interval mismatch was already logged (log once)
 * @param hold                  what an operator holds this node back from (a switchover stepped it down, a drain), if
 *                              anything
 * @param awaitingLease         an instance behind a lease ({@link VrrpParams#leased}) that would be MASTER but does not
 *                              hold the lease yet: why it wants MASTER ("master 10.0.1.11 silent for 3.1s"); else empty
 * @param leaseEpoch            MASTER behind a lease: the epoch of the lease it holds (the lease node's czxid), else
 *                              {@link #NO_LEASE}
 */
public record ElectionState(VrrpState state, Optional<Ipv4> master, int masterPriority, int masterAdvertCentis,
                            long lastHeardNanos, long downAtNanos, long advertDueNanos, long startedNanos,
                            long lowerSinceNanos, Set<String> downChecks, boolean promotionRefused,
                            Set<Ipv4> mismatchLogged, Optional<ElectionHold> hold,
                            Optional<String> awaitingLease, long leaseEpoch) {

    public static final long NEVER = Long.MIN_VALUE;
    /** No lease held (ZooKeeper's first transaction has zxid 1, so no lease node has czxid 0). */
    public static final long NO_LEASE = 0;

    public ElectionState {
        downChecks = Set.copyOf(downChecks);
        mismatchLogged = Set.copyOf(mismatchLogged);
        java.util.Objects.requireNonNull(hold, "hold");
        java.util.Objects.requireNonNull(awaitingLease, "awaitingLease");
    }

    /** Before {@link Input.Started}: INIT, nothing heard. Tracked checks count as up until told otherwise. */
    public static ElectionState initial() {
        return new ElectionState(VrrpState.INIT, Optional.empty(), 0, 0, NEVER, NEVER, NEVER, NEVER, NEVER,
                Set.of(), false, Set.of(), Optional.empty(), Optional.empty(), NO_LEASE);
    }

    ElectionState withState(VrrpState s) {
        return new ElectionState(s, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, startedNanos, lowerSinceNanos, downChecks, promotionRefused, mismatchLogged, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withMaster(Optional<Ipv4> m, int priority, int advertCentis, long heardNanos) {
        return new ElectionState(state, m, priority, advertCentis, heardNanos, downAtNanos, advertDueNanos,
                startedNanos, lowerSinceNanos, downChecks, promotionRefused, mismatchLogged, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withDownAt(long t) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, t,
                advertDueNanos, startedNanos, lowerSinceNanos, downChecks, promotionRefused, mismatchLogged, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withAdvertDue(long t) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                t, startedNanos, lowerSinceNanos, downChecks, promotionRefused, mismatchLogged, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withStarted(long t) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, t, lowerSinceNanos, downChecks, promotionRefused, mismatchLogged, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withLowerSince(long t) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, startedNanos, t, downChecks, promotionRefused, mismatchLogged, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withDownChecks(Set<String> checks) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, startedNanos, lowerSinceNanos, checks, promotionRefused, mismatchLogged, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withPromotionRefused(boolean refused) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, startedNanos, lowerSinceNanos, downChecks, refused, mismatchLogged, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withHold(Optional<ElectionHold> h) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, startedNanos, lowerSinceNanos, downChecks, promotionRefused, mismatchLogged, h, awaitingLease, leaseEpoch);
    }

    ElectionState withMismatchLogged(Set<Ipv4> peers) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, startedNanos, lowerSinceNanos, downChecks, promotionRefused, peers, hold, awaitingLease, leaseEpoch);
    }

    ElectionState withAwaitingLease(Optional<String> why) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, startedNanos, lowerSinceNanos, downChecks, promotionRefused, mismatchLogged, hold, why,
                leaseEpoch);
    }

    ElectionState withLeaseEpoch(long epoch) {
        return new ElectionState(state, master, masterPriority, masterAdvertCentis, lastHeardNanos, downAtNanos,
                advertDueNanos, startedNanos, lowerSinceNanos, downChecks, promotionRefused, mismatchLogged, hold,
                awaitingLease, epoch);
    }
}
