/**
 * Moving the service address to this host on VRRP MASTER and letting go of it on BACKUP/FAULT.
 *
 * <p>One contract, {@link io.haagent.failover.address.AddressMover}, three backends chosen from the
 * config by {@link io.haagent.failover.address.AddressMovers#of}: {@code eni} (detach the ENI from the
 * other instance, force after {@code force_detach_after}, attach it here), {@code secondary_ip}
 * ({@code AssignPrivateIpAddresses} with reassignment, then {@code ip addr add <ip>/32}) and
 * {@code local} ({@code ip addr add} plus gratuitous ARP sent through an {@code AF_PACKET} socket). Every
 * step is idempotent, so a retry of a half-done move completes it; every outcome is a
 * {@link io.haagent.failover.address.MoveResult} or an
 * {@link io.haagent.failover.address.AddressMoveException}, each with one operator sentence. The EC2 and
 * IMDS calls go through the AWS adapter ({@code io.haagent.aws}); the {@code ip} runner and the packet
 * socket are package-private machinery.
 */
package io.haagent.failover.address;
