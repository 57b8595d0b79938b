/**
 * Moving VRRP payloads between hosts: {@link io.haagent.failover.vrrp.net.AdvertHub} shares one socket per
 * local endpoint between the instances on it and hands each received
 * {@link io.haagent.failover.vrrp.net.Datagram} to the instance whose VRID it carries. Two
 * {@link io.haagent.failover.vrrp.net.AdvertTransport}s: {@code ip} (raw IP protocol 112, TTL 255,
 * keepalived-compatible, needs {@code CAP_NET_RAW}, opened through the foreign function API) and {@code udp}
 * (Netty, unprivileged). Bytes only: decoding, authentication and peer filtering happen per instance above.
 */
package io.haagent.failover.vrrp.net;
