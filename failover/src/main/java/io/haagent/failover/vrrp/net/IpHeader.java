package io.haagent.failover.vrrp.net;

import io.haagent.config.Ipv4;
import io.haagent.linux.Libc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Splits what a Linux raw IPv4 socket returns (the IP header, then the payload) into a {@link Datagram}.
 * The kernel has already checked the header checksum and reassembled fragments; this only guards
 * against lengths that do not add up, so that a malformed packet is dropped instead of read past.
 */
final class IpHeader {
    static final int MIN_LENGTH = 20;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private IpHeader() {}

    /** The datagram in the first {@code length} bytes of {@code packet}; empty if they are not IPv4 protocol 112. */
    static Optional<Datagram> parse(MemorySegment packet, int length) {
        if (length < MIN_LENGTH || length > packet.byteSize()) {
            return Optional.empty();
        }
        int versionAndIhl = packet.get(ValueLayout.JAVA_BYTE, 0) & 0xff;
        int headerLength = (versionAndIhl & 0x0f) * 4;
        int totalLength = packet.get(U16, 2) & 0xffff;
        if (versionAndIhl >>> 4 != 4 || headerLength < MIN_LENGTH || totalLength < headerLength
                || totalLength > length) {
            return Optional.empty();
        }
        int ttl = packet.get(ValueLayout.JAVA_BYTE, 8) & 0xff;
        int protocol = packet.get(ValueLayout.JAVA_BYTE, 9) & 0xff;
        if (protocol != Libc.IPPROTO_VRRP) {
            return Optional.empty();
        }
        Ipv4 source = new Ipv4(packet.get(U32, 12));
        Ipv4 destination = new Ipv4(packet.get(U32, 16));
        // RFC 791: the payload ends at total length; bytes past it (none on Linux today) are not VRRP.
        byte[] payload = packet.asSlice(headerLength, totalLength - headerLength).toArray(ValueLayout.JAVA_BYTE);
        return Optional.of(new Datagram(source, destination, ttl, payload));
    }
}
