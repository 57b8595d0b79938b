package io.haagent.failover.vrrp.instance;

import io.haagent.failover.lease.LeaseParams;
import java.util.Optional;

/**
 * What an instance behind a lease ({@code coordination.zookeeper.lease_for}) runs with: the lease decision's
 * parameters (the session timeout in them is the one asked for; the granted one replaces it once known), the
 * ZooKeeper edge, and the Redis whose writes a SUSPENDED connection pauses (none when the instance promotes no Redis).
 */
public record LeaseSetup(LeaseParams params, LeaseEdge.Opener edge, Optional<WritePause> writes) {}
