package io.haagent.failover.address;

/**
 * Puts the service address on this host ({@link #acquire()}, on VRRP MASTER) or takes it off
 * ({@link #release()}, on BACKUP and FAULT).
 *
 * <p><b>Idempotent, step by step.</b> Each call first looks where the address is and goes on from
 * there, so re-running a move that was cut short (a timeout, an API error, the agent stopping) completes
 * it, and running a finished one again does nothing but look: an ENI already attached here at its device
 * index is neither detached nor attached again; an address already on the interface is not added twice,
 * one already gone is not an error to remove. No step is atomic across hosts: between the old holder's
 * detach and our attach nobody has the address, which is why a failed acquire must be retried, not
 * undone.
 *
 * <p><b>Blocking.</b> Both calls block until done or until their deadline (an ENI move can take tens of
 * seconds); callers run them off the VRRP loop, on an executor, so adverts keep flowing. Interrupting the
 * calling thread ends the wait with an {@link AddressMoveException}.
 *
 * <p><b>Errors translated.</b> Whatever goes wrong — an AWS error, an unreachable endpoint, a failed
 * {@code ip} command, a packet socket refused — ends in one {@link AddressMoveException}, whose message
 * is one sentence for the operator: where, what failed, what was already done, what to do.
 */
public interface AddressMover {

    /** Makes this host hold the address; returns the steps done and one sentence. */
    MoveResult acquire() throws AddressMoveException;

    /**
     * As {@link #acquire()}, for an instance behind a ZooKeeper lease, under the lease of {@code leaseEpoch}: a mover
     * that can record the epoch where the address lives does (the {@code eni} mover tags the ENI), so an operator
     * can tell which master took it last; the others leave it to the step's log line, which names it.
     */
    default MoveResult acquire(long leaseEpoch) throws AddressMoveException {
        return acquire();
    }

    /**
     * Lets go of the address on this host. For {@code eni} nothing is done: the new master takes the
     * ENI; detaching it here would only lengthen the gap.
     */
    MoveResult release() throws AddressMoveException;

    /** What this mover moves, for logs: {@code eni eni-0123... at device index 1}. */
    String describe();
}
