/**
 * The VRRP election as a pure function: {@link io.haagent.failover.vrrp.VrrpMachine#decide} takes
 * one {@link io.haagent.failover.vrrp.Input} (a fact), the previous
 * {@link io.haagent.failover.vrrp.ElectionState} and the time, and returns a
 * {@link io.haagent.failover.vrrp.Decision}: the new state, the {@link io.haagent.failover.vrrp.Action}s
 * to perform, when to wake next and the one sentence to log. No I/O, no clock reads: the codec,
 * transports and the daemon loop wire it to the network.
 */
package io.haagent.failover.vrrp;
