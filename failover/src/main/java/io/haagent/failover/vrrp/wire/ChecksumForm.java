package io.haagent.failover.vrrp.wire;

/** Which bytes a packet's checksum was computed over. */
public enum ChecksumForm {
    /** v2: the VRRP message alone. */
    V2_MESSAGE,
    /**
     * v3: IPv4 pseudo-header with the packet's real destination (in unicast, the peer's address), then the
     * message. What RFC 5798 says and what current keepalived sends.
     */
    V3_REAL_DESTINATION,
    /**
     * v3: IPv4 pseudo-header with the multicast group 224.0.0.18 as destination even though the packet was
     * unicast: what older keepalived sent, and what keepalived's {@code unicast_chksum_compat} still sends.
     */
    V3_MULTICAST_GROUP
}
