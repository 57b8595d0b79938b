/**
 * The ZooKeeper edge of the lease in front of VRRP MASTER (issue 14): the one place that talks to ZooKeeper, through
 * Apache Curator. {@link io.haagent.failover.zookeeper.ZkCoordination} (one per daemon) holds the one client and its
 * session; each {@link io.haagent.failover.zookeeper.ZkLease} (one per instance in {@code lease_for}) carries out the
 * {@link io.haagent.failover.lease.LeaseAction}s that touch the lease node (acquire, stop acquiring, renew, delete)
 * and reports what happened, and the connection's states, as {@link io.haagent.failover.lease.LeaseInput}s to a
 * {@link io.haagent.failover.zookeeper.LeaseListener}. It decides nothing: {@code failover.lease} does. On the same
 * session, {@link io.haagent.failover.zookeeper.EphemeralNode} is the load push's {@code zookeeper} sink (issue 15):
 * one ephemeral node per host holding its latest load sample.
 *
 * <p>Nothing here blocks its caller; answers come on ZooKeeper's and Curator's threads. Only this package imports
 * {@code org.apache.curator} or {@code org.apache.zookeeper} ({@code ArchitectureTest}), and nothing loads it unless
 * the config has {@code coordination.zookeeper}.
 */
package io.haagent.failover.zookeeper;
