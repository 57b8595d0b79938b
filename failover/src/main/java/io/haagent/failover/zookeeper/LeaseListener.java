package io.haagent.failover.zookeeper;

import io.haagent.failover.lease.LeaseInput;

/**
 * Told what a {@link ZkLease} found, as the facts the lease decision takes.
 *
 * <p>Called on ZooKeeper's and Curator's threads: the client's event thread (answers to the lease's requests and its
 * watch: {@code Acquired}, {@code HeldByOther}, {@code AcquireFailed}, {@code RenewalAcked}, {@code LeaseGone}) and
 * Curator's connection-state thread ({@code Suspended}, {@code Reconnected}, {@code Lost}). It must not block: while
 * it runs, no other answer and no other lease's report is delivered. Hand the input to the instance's own thread and
 * return. An exception it throws is logged and costs only that report.
 */
@FunctionalInterface
public interface LeaseListener {
    void reported(LeaseInput input);
}
