package io.haagent.failover.vrrp.instance;

import io.haagent.failover.lease.LeaseInput;
import java.util.function.Consumer;

/**
 * The ZooKeeper end of one instance's lease, as {@link LeaseDriver} uses it: each call carries out one
 * {@link io.haagent.failover.lease.LeaseAction} without blocking, and its outcome comes back later as a
 * {@link LeaseInput} (from any thread). The failover.zookeeper package implements it on Curator.
 */
public interface LeaseEdge extends AutoCloseable {

    /** {@link io.haagent.failover.lease.LeaseAction.AcquireLease}. */
    void acquire();

    /** {@link io.haagent.failover.lease.LeaseAction.StopAcquiring}. */
    void stopAcquiring();

    /** {@link io.haagent.failover.lease.LeaseAction.SendRenewal}. */
    void renew();

    /** {@link io.haagent.failover.lease.LeaseAction.DeleteLease}. */
    void delete(long epoch);

    /** The session timeout the server granted (the one asked for until it answered), in nanos. */
    long sessionTimeoutNanos();

    /** Stops reporting; the session itself belongs to whoever made the edge. */
    @Override
    void close();

    /** Opens the edge of one instance, which reports to {@code heard} from any thread; {@code heard} must not block. */
    @FunctionalInterface
    interface Opener {
        LeaseEdge open(Consumer<LeaseInput> heard);
    }
}
