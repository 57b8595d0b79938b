/**
 * The ZooKeeper lease in front of VRRP MASTER (issue 14), as a pure decision:
 * {@link io.haagent.failover.lease.LeaseMachine#decide} takes one {@link io.haagent.failover.lease.LeaseInput} (the
 * election wants or left MASTER, an acquisition's or renewal's outcome, a Curator connection state, a peer's advert,
 * time passed), the previous {@link io.haagent.failover.lease.LeaseState} and the time, and returns a
 * {@link io.haagent.failover.lease.LeaseDecision}: the new state, the {@link io.haagent.failover.lease.LeaseAction}s
 * (acquire, renew, delete the lease, pause or unpause writes, take or leave MASTER), when to wake next and at most
 * one sentence. {@link io.haagent.failover.lease.LeaseMachine#fence} answers whether an irreversible step may run
 * now, and with which epoch.
 *
 * <p>The holder keeps its own deadline instead of waiting for Curator's LOST, which Curator injects only a whole
 * session timeout after it noticed the connection was SUSPENDED ({@code ConnectionStateManager
 * .checkSessionExpiration}), later than the server may have expired the session. No I/O and no clock reads here
 * ({@code ArchitectureTest} pins the whole package): the Curator client and the daemon's wiring live elsewhere.
 */
package io.haagent.failover.lease;
