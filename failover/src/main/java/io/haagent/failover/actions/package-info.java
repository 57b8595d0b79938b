/**
 * What a VRRP instance does to the world when its role changes: {@link io.haagent.failover.actions.RoleActions}
 * promotes or replicates the local Redis ({@code failover.redis}) and acquires or releases the service address
 * ({@code failover.address}), one job at a time on the instance's actions thread, so a slow ENI move never holds
 * up an advert. Each job ends in one {@link io.haagent.failover.actions.RoleActions.Report} with the steps taken
 * and a refusal when a MASTER must not keep the role; the daemon logs it, mails it and lets a refusal put the
 * instance in FAULT.
 */
package io.haagent.failover.actions;
