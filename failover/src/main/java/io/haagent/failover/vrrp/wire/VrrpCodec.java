package io.haagent.failover.vrrp.wire;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.wire.DecodeResult.Dropped;
import io.haagent.failover.vrrp.wire.DecodeResult.Ok;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Encodes and decodes the VRRP payload of an IPv4 packet (what follows the IP header).
 *
 * <pre>
 *  v2 (RFC 3768 §5.1)                        v3 (RFC 5798 §5.1)
 *  0: version(4) type(4)                     0: version(4) type(4)
 *  1: vrid                                   1: vrid
 *  2: priority                               2: priority
 *  3: count of addresses                     3: count of addresses
 *  4: auth type                              4-5: reserved(4) max adver int(12), centiseconds
 *  5: adver int, seconds
 *  6-7: checksum                             6-7: checksum
 *  8..: addresses, 4 bytes each              8..: addresses, 4 bytes each
 *  then 8 bytes of authentication data
 * </pre>
 *
 * The checksum is RFC 1071's ones' complement sum: in v2 over the message, in v3 over an IPv4 pseudo-header
 * (source, destination, zero, protocol 112, VRRP length) and the message. Like keepalived in unicast mode we
 * put the packet's real destination (the peer) in the pseudo-header; we also accept the multicast group
 * 224.0.0.18 there, which older keepalived (and its {@code unicast_chksum_compat} option) uses.
 */
public final class VrrpCodec {

    /** IP protocol number of VRRP. */
    public static final int IP_PROTOCOL = 112;
    /** The VRRP IPv4 multicast group, 224.0.0.18. */
    public static final Ipv4 MULTICAST_GROUP = new Ipv4(0xE0000012);

    private static final int HEADER_LENGTH = 8;

    private VrrpCodec() {}

    /** The VRRP payload of {@code p} sent from {@code source} to {@code destination}, with RFC checksums. */
    public static byte[] encode(VrrpPacket p, Ipv4 source, Ipv4 destination) {
        return encode(p, source, destination, p.version() == 2 ? ChecksumForm.V2_MESSAGE : ChecksumForm.V3_REAL_DESTINATION);
    }

    /**
     * As {@link #encode(VrrpPacket, Ipv4, Ipv4)} with the checksum in a chosen form, for talking to a
     * keepalived that uses the multicast-group form in unicast.
     *
     * @throws IllegalArgumentException if {@code form} does not fit the packet's version
     */
    public static byte[] encode(VrrpPacket p, Ipv4 source, Ipv4 destination, ChecksumForm form) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if ((p.version() == 2) != (form == ChecksumForm.V2_MESSAGE)) {
            throw new IllegalArgumentException("checksum form " + form + " does not fit a v" + p.version() + " packet");
        }
        byte[] out = new byte[p.encodedLength()];
        out[0] = (byte) (p.version() << 4 | p.type());
        out[1] = (byte) p.vrid();
        out[2] = (byte) p.priority();
        out[3] = (byte) p.addresses().size();
        if (p.version() == 2) {
            out[4] = (byte) p.authType().code();
            out[5] = (byte) p.advertInterval();
        } else {
            out[4] = (byte) (p.advertInterval() >>> 8 | (p.follower() ? VrrpPacket.FOLLOWER_BIT : 0));
            out[5] = (byte) p.advertInterval();
        }
        int at = HEADER_LENGTH;
        for (Ipv4 a : p.addresses()) {
            System.arraycopy(a.toBytes(), 0, out, at, 4);
            at += 4;
        }
        if (p.version() == 2) {
            System.arraycopy(p.authData(), 0, out, at, VrrpPacket.AUTH_DATA_LENGTH);
        }
        int sum = checksum(out, 0, out.length, pseudoHeaderSum(form, source, destination, out.length));
        out[6] = (byte) (sum >>> 8);
        out[7] = (byte) sum;
        return out;
    }

    /**
     * Decodes {@code len} bytes of {@code buf} from {@code off}: the VRRP payload of an IPv4 packet that came
     * from {@code source} to {@code destination}. Returns {@link Dropped} for anything malformed and never
     * throws for any content of the buffer. Like keepalived, a checksum field of 0xFFFF where 0x0000 is
     * computed (the ones' complement "negative zero") is accepted; re-encoding writes 0x0000.
     *
     * @throws NullPointerException      if {@code buf}, {@code source} or {@code destination} is null
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} lie outside {@code buf} (caller bugs, not
     *                                   anything a peer can cause)
     */
    public static DecodeResult decode(byte[] buf, int off, int len, Ipv4 source, Ipv4 destination) {
        Objects.checkFromIndexSize(off, len, buf.length);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if (len < HEADER_LENGTH) {
            return new Dropped(DropReason.TOO_SHORT, len + " bytes, the VRRP header alone is 8");
        }
        int version = (buf[off] & 0xFF) >>> 4;
        int type = buf[off] & 0x0F;
        int vrid = buf[off + 1] & 0xFF;
        int priority = buf[off + 2] & 0xFF;
        int count = buf[off + 3] & 0xFF;
        if (version != 2 && version != 3) {
            return new Dropped(DropReason.BAD_VERSION, "version " + version + ", expected 2 or 3");
        }
        if (type != VrrpPacket.ADVERTISEMENT) {
            return new Dropped(DropReason.BAD_TYPE, "type " + type + ", expected 1 (advertisement)");
        }
        int expected = HEADER_LENGTH + 4 * count + (version == 2 ? VrrpPacket.AUTH_DATA_LENGTH : 0);
        if (len != expected) {
            return new Dropped(DropReason.BAD_LENGTH, "v" + version + " with " + count + " addresses is " + expected
                    + " bytes, got " + len);
        }
        ChecksumForm form;
        if (version == 2) {
            if (checksum(buf, off, len, 0) != 0) {
                return new Dropped(DropReason.BAD_CHECKSUM, "v2 checksum does not match");
            }
            form = ChecksumForm.V2_MESSAGE;
        } else if (checksum(buf, off, len, pseudoHeaderSum(ChecksumForm.V3_REAL_DESTINATION, source, destination, len)) == 0) {
            form = ChecksumForm.V3_REAL_DESTINATION;
        } else if (checksum(buf, off, len, pseudoHeaderSum(ChecksumForm.V3_MULTICAST_GROUP, source, destination, len)) == 0) {
            form = ChecksumForm.V3_MULTICAST_GROUP;
        } else {
            return new Dropped(DropReason.BAD_CHECKSUM, "v3 checksum matches neither destination " + destination
                    + " nor " + MULTICAST_GROUP + " in the pseudo-header");
        }
        if (vrid == 0) {
            return new Dropped(DropReason.BAD_VRID, "vrid 0, expected 1..255");
        }
        AuthType authType = AuthType.NONE;
        int interval;
        byte[] authData;
        boolean follower = false;
        if (version == 2) {
            int code = buf[off + 4] & 0xFF;
            if (code == AuthType.NONE.code()) {
                authType = AuthType.NONE;
            } else if (code == AuthType.PASS.code()) {
                authType = AuthType.PASS;
            } else {
                return new Dropped(DropReason.BAD_AUTH_TYPE, "auth type " + code
                        + (code == 2 ? " (IP AH) is not supported" : " is unknown") + ", expected 0 (none) or 1 (pass)");
            }
            interval = buf[off + 5] & 0xFF;
            authData = new byte[VrrpPacket.AUTH_DATA_LENGTH];
            System.arraycopy(buf, off + len - VrrpPacket.AUTH_DATA_LENGTH, authData, 0, VrrpPacket.AUTH_DATA_LENGTH);
        } else {
            // The 4 reserved bits are ignored on receipt (RFC 5798 §5.1.1.4), as keepalived does, but for haagent's
            // follower bit; a packet that had the others set re-encodes with them cleared.
            interval = (buf[off + 4] & 0x0F) << 8 | (buf[off + 5] & 0xFF);
            follower = (buf[off + 4] & VrrpPacket.FOLLOWER_BIT) != 0;
            authData = new byte[0];
        }
        if (interval == 0) {
            return new Dropped(DropReason.ZERO_INTERVAL, "advert interval 0");
        }
        List<Ipv4> addresses = new ArrayList<>(count);
        for (int i = 0, at = off + HEADER_LENGTH; i < count; i++, at += 4) {
            addresses.add(new Ipv4((buf[at] & 0xFF) << 24 | (buf[at + 1] & 0xFF) << 16 | (buf[at + 2] & 0xFF) << 8
                    | (buf[at + 3] & 0xFF)));
        }
        return new Ok(new VrrpPacket(version, type, vrid, priority, addresses, interval, authType, authData, follower),
                form);
    }

    /** The unfolded sum of the v3 pseudo-header's 16-bit words, or 0 for v2 (which has none). */
    private static int pseudoHeaderSum(ChecksumForm form, Ipv4 source, Ipv4 destination, int length) {
        return switch (form) {
            case V2_MESSAGE -> 0;
            case V3_REAL_DESTINATION -> wordSum(source) + wordSum(destination) + IP_PROTOCOL + length;
            case V3_MULTICAST_GROUP -> wordSum(source) + wordSum(MULTICAST_GROUP) + IP_PROTOCOL + length;
        };
    }

    private static int wordSum(Ipv4 a) {
        return (a.bits() >>> 16) + (a.bits() & 0xFFFF);
    }

    /**
     * RFC 1071: the ones' complement of the ones' complement sum of the 16-bit words of {@code buf[off, off+len)}
     * (odd length padded with a zero byte) plus {@code initial}. Over a message that holds its checksum it is 0.
     */
    private static int checksum(byte[] buf, int off, int len, int initial) {
        long sum = initial;
        int end = off + len;
        int i = off;
        for (; i + 1 < end; i += 2) {
            sum += (buf[i] & 0xFF) << 8 | (buf[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (buf[i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
