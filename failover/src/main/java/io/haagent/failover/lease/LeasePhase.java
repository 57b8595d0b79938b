package io.haagent.failover.lease;

/** Where one instance stands with its lease. */
public enum LeasePhase {
    /** Not wanting MASTER; holds nothing. */
    IDLE,
    /** Wants MASTER (the election chose it) and waits in BACKUP for the lease. */
    ACQUIRING,
    /** Holds the lease, connected, renewing; MASTER. */
    HELD,
    /** Holds the lease until its deadline, but the connection is SUSPENDED: MASTER with writes paused. */
    SUSPENDED,
    /**
     * Past the deadline without ZooKeeper, MASTER only because the peer keeps advertising as a lower-priority BACKUP
     * (Patroni's failsafe): the lease is not proven ours, so no fenced step runs.
     */
    FAILSAFE
}
