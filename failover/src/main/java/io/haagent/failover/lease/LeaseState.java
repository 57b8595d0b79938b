package io.haagent.failover.lease;

/**
 * One instance's lease between two decisions; immutable, owned by the caller, handed back to
 * {@link LeaseMachine#decide}. Times are monotonic nanos; {@link #NEVER} marks a time not set.
 *
 * @param phase          where the instance stands
 * @param epoch          the lease node's czxid while it may exist as ours, else {@link #NO_EPOCH}
 * @param sessionId      the session that owns our lease node, else 0
 * @param deadlineNanos  HELD, SUSPENDED: until when the server cannot have expired the session
 * @param renewedNanos   when the request that set the deadline was sent (the acquisition or the last renewal)
 * @param dueNanos       HELD: when the next renewal is sent; ACQUIRING: when a failed acquisition is tried again
 * @param suspendedNanos SUSPENDED: since when
 * @param peerAgreedNanos when the peer last advertised as a lower-priority BACKUP (cleared by any other advert)
 * @param waitingFor     ACQUIRING: the holder we wait for, or the failure we retry after, as last logged (so it is
 *                       logged once), else empty
 */
public record LeaseState(LeasePhase phase, long epoch, long sessionId, long deadlineNanos, long renewedNanos,
                         long dueNanos, long suspendedNanos, long peerAgreedNanos, String waitingFor) {

    public static final long NEVER = Long.MIN_VALUE;
    /** ZooKeeper's first transaction has zxid 1, so no node has czxid 0. */
    public static final long NO_EPOCH = 0;

    public static LeaseState initial() {
        return new LeaseState(LeasePhase.IDLE, NO_EPOCH, 0, NEVER, NEVER, NEVER, NEVER, NEVER, "");
    }

    /** Holds the lease (HELD or SUSPENDED): the deadline governs. */
    public boolean holds() {
        return phase == LeasePhase.HELD || phase == LeasePhase.SUSPENDED;
    }

    LeaseState withPhase(LeasePhase p) {
        return new LeaseState(p, epoch, sessionId, deadlineNanos, renewedNanos, dueNanos, suspendedNanos,
                peerAgreedNanos, waitingFor);
    }

    LeaseState withLease(long e, long session) {
        return new LeaseState(phase, e, session, deadlineNanos, renewedNanos, dueNanos, suspendedNanos,
                peerAgreedNanos, waitingFor);
    }

    LeaseState withDeadline(long deadline, long renewed) {
        return new LeaseState(phase, epoch, sessionId, deadline, renewed, dueNanos, suspendedNanos, peerAgreedNanos,
                waitingFor);
    }

    LeaseState withDue(long t) {
        return new LeaseState(phase, epoch, sessionId, deadlineNanos, renewedNanos, t, suspendedNanos,
                peerAgreedNanos, waitingFor);
    }

    LeaseState withSuspended(long t) {
        return new LeaseState(phase, epoch, sessionId, deadlineNanos, renewedNanos, dueNanos, t, peerAgreedNanos,
                waitingFor);
    }

    LeaseState withPeerAgreed(long t) {
        return new LeaseState(phase, epoch, sessionId, deadlineNanos, renewedNanos, dueNanos, suspendedNanos, t,
                waitingFor);
    }

    LeaseState withWaitingFor(String holder) {
        return new LeaseState(phase, epoch, sessionId, deadlineNanos, renewedNanos, dueNanos, suspendedNanos,
                peerAgreedNanos, holder);
    }

    /** Holds nothing, wants nothing; only what was heard of the peer carries over. */
    LeaseState idle() {
        return initial().withPeerAgreed(peerAgreedNanos);
    }
}
