/**
 * One VRRP instance at run time: its advert gate, runner, state file and notify hooks.
 * {@link io.haagent.failover.vrrp.instance.Adverts} turns the election's adverts into bytes for each peer and
 * decides which arrived datagrams are adverts of this instance from a configured peer, so that the election
 * ({@link io.haagent.failover.vrrp.VrrpMachine}) only ever sees authenticated facts.
 */
package io.haagent.failover.vrrp.instance;
