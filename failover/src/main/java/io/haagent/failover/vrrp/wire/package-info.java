/**
 * The VRRP advertisement on the wire, as keepalived sends it: {@link io.haagent.failover.vrrp.wire.VrrpCodec}
 * turns a {@link io.haagent.failover.vrrp.wire.VrrpPacket} (v2, RFC 3768, or v3, RFC 5798, IPv4 only) into
 * the VRRP payload and back. Pure: no sockets, no clock. The IP header (protocol 112, TTL 255) is the
 * transport's job; matching the vrid, the peer and the password is the instance's job. Decoding never
 * throws for anything a peer can send: it returns {@link io.haagent.failover.vrrp.wire.DecodeResult.Ok} or
 * {@link io.haagent.failover.vrrp.wire.DecodeResult.Dropped} with a stable
 * {@link io.haagent.failover.vrrp.wire.DropReason} for the metric.
 */
package io.haagent.failover.vrrp.wire;
