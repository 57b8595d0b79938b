package io.haagent.failover.lease;

/** What happened, as a fact: the only things that move the lease decision. Times are the caller's ticker nanos. */
public sealed interface LeaseInput {

    /** The VRRP election chose MASTER for the instance: it may become MASTER only with the lease. */
    record WantsMaster() implements LeaseInput {}

    /** The instance left MASTER, or stopped wanting it ({@code why}: a Redis crash, a stop, FAULT, a lost election). */
    record LeftMaster(String why) implements LeaseInput {}

    /**
     * The lease node was created for us. {@code epoch} is its czxid (ZooKeeper's id of the creating transaction, so a
     * newer lease has a larger one), {@code sessionId} the session that owns it, {@code sentAtNanos} the ticker's time
     * just before the create was sent: the session lives at least a trusted span from then.
     */
    record Acquired(long epoch, long sessionId, long sentAtNanos) implements LeaseInput {}

    /**
     * Another holds the lease: {@code holder} (its host name, from the node's data), its {@code sessionId}, and at
     * most how long until it must be ours if it is never renewed ({@code atMostNanos}: that session's timeout).
     */
    record HeldByOther(String holder, long sessionId, long atMostNanos) implements LeaseInput {}

    /** An attempt to acquire failed without telling who holds the lease ({@code why}, e.g. no connection). */
    record AcquireFailed(String why) implements LeaseInput {}

    /**
     * A renewal ({@code sync} plus a read that found the lease node still ours) was answered; {@code sentAtNanos} is the
     * ticker's time just before it was sent. A late answer moves the deadline by its send time, never by its arrival.
     */
    record RenewalAcked(long sentAtNanos) implements LeaseInput {}

    /** A read found the lease node missing or owned by another session ({@code why}): it is not ours any more. */
    record LeaseGone(String why) implements LeaseInput {}

    /** Curator's SUSPENDED: the connection is gone; the session may still live on the server. */
    record Suspended() implements LeaseInput {}

    /**
     * Curator's RECONNECTED, with the session the client has now. Curator sends it after a SUSPENDED, a LOST or a
     * read-only spell alike, so only the same session id means the lease's session survived.
     */
    record Reconnected(long sessionId) implements LeaseInput {}

    /** Curator's LOST: the session expired (or Curator, suspended for a whole session timeout, believes so). */
    record Lost() implements LeaseInput {}

    /**
     * An advert from the VRRP peer: its {@code priority}, and whether it advertises as a BACKUP of lower priority than
     * ours, i.e. agrees that we are master (the failsafe counts only those).
     */
    record PeerAdvertHeard(int priority, boolean lowerPriorityBackup) implements LeaseInput {}

    /** The wake-up time of the last decision has come (early or spurious calls are harmless). */
    record TimePassed() implements LeaseInput {}
}
