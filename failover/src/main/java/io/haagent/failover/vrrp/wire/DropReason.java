package io.haagent.failover.vrrp.wire;

/**
 * Why the codec dropped a packet. The names are stable: they are the {@code reason} label of the
 * dropped-adverts metric, so rename none of them.
 */
public enum DropReason {
    /** Fewer bytes than the 8-byte fixed header. */
    TOO_SHORT,
    /** Version nibble is neither 2 nor 3. */
    BAD_VERSION,
    /** Type nibble is not 1 (advertisement), the only type VRRP defines. */
    BAD_TYPE,
    /** VRID 0, outside the 1..255 the RFCs allow. */
    BAD_VRID,
    /** The length is not 8 + 4 × address count (+ 8 bytes of authentication data in v2). */
    BAD_LENGTH,
    /** The checksum does not match (for v3, with neither pseudo-header destination). */
    BAD_CHECKSUM,
    /** v2 authentication type other than 0 (none) or 1 (simple password); 2 (IP AH) is not supported. */
    BAD_AUTH_TYPE,
    /** Advertisement interval 0. */
    ZERO_INTERVAL
}
