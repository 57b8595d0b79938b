package io.haagent.failover.lease;

/** What the actuator must do, in list order. */
public sealed interface LeaseAction {

    /**
     * Start acquiring the lease node (the same path on both ends of the pair) and report {@link LeaseInput.Acquired},
     * {@link LeaseInput.HeldByOther} or {@link LeaseInput.AcquireFailed}; while another holds it, keep watching and
     * report {@code Acquired} once it is ours. Idempotent: an acquisition already under way goes on.
     */
    record AcquireLease() implements LeaseAction {}

    /** Give up an acquisition under way; one that completes anyway is reported and then deleted. */
    record StopAcquiring() implements LeaseAction {}

    /**
     * Send a renewal: note the ticker's time, then a {@code sync} and a read of the lease node; report
     * {@link LeaseInput.RenewalAcked} with that time if the node is still ours, {@link LeaseInput.LeaseGone} if not.
     */
    record SendRenewal() implements LeaseAction {}

    /**
     * Delete the lease node if it is still the one of {@code epoch} (its czxid): never a newer node, which may be the
     * peer's. Keep trying in the background until it is gone (the session's expiry removes it as well).
     */
    record DeleteLease(long epoch) implements LeaseAction {}

    /** Hold writes on the local Redis for at most {@code millis} ({@code CLIENT PAUSE <ms> WRITE}, Redis 6.2+). */
    record PauseWrites(long millis) implements LeaseAction {}

    /** End a pause ({@code CLIENT UNPAUSE}). */
    record UnpauseWrites() implements LeaseAction {}

    /** The lease of {@code epoch} is ours: the instance may become MASTER now (it waited in BACKUP until this). */
    record TakeMaster(long epoch) implements LeaseAction {}

    /**
     * Leave MASTER now ({@code reason}): advertise priority 0, release the address, and the local Redis stops
     * accepting writes (paused writes then fail, and never diverge).
     */
    record Demote(String reason) implements LeaseAction {}
}
