package io.haagent.failover.vrrp.wire;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.Input;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One VRRP advertisement, field by field as it is on the wire (IPv4 only).
 *
 * @param version        2 (RFC 3768) or 3 (RFC 5798)
 * @param type           always {@link #ADVERTISEMENT}, the only type VRRP defines
 * @param vrid           virtual router id, 1..255
 * @param priority       0..255; 0 = the master is stopping, 255 = address owner
 * @param addresses      the "IP Address (n)" fields: keepalived's {@code virtual_ipaddress} list, at most 255
 * @param advertInterval in the packet's own unit: v2 seconds (1..255, the 8-bit Adver Int), v3 centiseconds
 *                       (1..4095, the 12-bit Max Adver Int)
 * @param authType       v2 only; v3 packets carry {@link AuthType#NONE}
 * @param authData       v2: the 8 authentication bytes as sent (kept even for {@link AuthType#NONE}, so a
 *                       decoded packet re-encodes to the same bytes); v3: empty. Copied in and out.
 * @param follower       v3 only, haagent's own: the highest of the 4 reserved bits before Max Adver Int
 *                       ({@link #FOLLOWER_BIT}), set by a BACKUP behind a ZooKeeper lease on the adverts it sends its
 *                       master to say it follows it (issue 14's failsafe). Standard receivers ignore reserved bits
 *                       (RFC 5798 §5.2.5); such pairs are haagent on both ends (lint {@code fleet.lease-mismatch}).
 */
public record VrrpPacket(int version, int type, int vrid, int priority, List<Ipv4> addresses,
                         int advertInterval, AuthType authType, byte[] authData, boolean follower) {

    /** The Type field of an advertisement. */
    public static final int ADVERTISEMENT = 1;
    /** The reserved bit of byte 4 (v3) that marks a {@link #follower} advert. */
    public static final int FOLLOWER_BIT = 0x80;
    /** Length of the v2 authentication data. */
    public static final int AUTH_DATA_LENGTH = 8;

    public VrrpPacket {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("VRRP version must be 2 or 3, got " + version);
        }
        if (type != ADVERTISEMENT) {
            throw new IllegalArgumentException("VRRP type must be 1 (advertisement), got " + type);
        }
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("vrid must be 1..255, got " + vrid);
        }
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority must be 0..255, got " + priority);
        }
        addresses = List.copyOf(addresses);
        if (addresses.size() > 255) {
            throw new IllegalArgumentException("at most 255 addresses fit in one advert, got " + addresses.size());
        }
        int maxInterval = version == 2 ? 255 : 4095;
        if (advertInterval < 1 || advertInterval > maxInterval) {
            throw new IllegalArgumentException("v" + version + " advert interval must be 1.." + maxInterval
                    + (version == 2 ? " seconds" : " centiseconds") + ", got " + advertInterval);
        }
        Objects.requireNonNull(authType, "authType");
        authData = authData.clone();
        if (version == 2 && authData.length != AUTH_DATA_LENGTH) {
            throw new IllegalArgumentException("v2 authentication data is 8 bytes, got " + authData.length);
        }
        if (version == 3 && (authType != AuthType.NONE || authData.length != 0)) {
            throw new IllegalArgumentException("v3 has no authentication; use authType NONE and no auth data");
        }
        if (version == 2 && follower) {
            throw new IllegalArgumentException("v2 has no reserved bits: a follower advert is v3 only");
        }
    }

    /** An advert as every VRRP speaker sends it (not a {@link #follower} one). */
    public VrrpPacket(int version, int type, int vrid, int priority, List<Ipv4> addresses, int advertInterval,
                      AuthType authType, byte[] authData) {
        this(version, type, vrid, priority, addresses, advertInterval, authType, authData, false);
    }

    /** A v2 advert without authentication (the 8 authentication bytes are zero). */
    public static VrrpPacket v2(int vrid, int priority, List<Ipv4> addresses, int advertIntervalSeconds) {
        return new VrrpPacket(2, ADVERTISEMENT, vrid, priority, addresses, advertIntervalSeconds, AuthType.NONE,
                new byte[AUTH_DATA_LENGTH]);
    }

    /** A v2 advert carrying {@code password} as keepalived sends {@code auth_pass}. */
    public static VrrpPacket v2Pass(int vrid, int priority, List<Ipv4> addresses, int advertIntervalSeconds,
                                    String password) {
        return new VrrpPacket(2, ADVERTISEMENT, vrid, priority, addresses, advertIntervalSeconds, AuthType.PASS,
                passwordBytes(password));
    }

    /** A v3 advert. */
    public static VrrpPacket v3(int vrid, int priority, List<Ipv4> addresses, int advertIntervalCentis) {
        return new VrrpPacket(3, ADVERTISEMENT, vrid, priority, addresses, advertIntervalCentis, AuthType.NONE,
                new byte[0]);
    }

    /** A v3 follower advert: a leased BACKUP tells its master that it follows it ({@link #follower}). */
    public static VrrpPacket v3Follower(int vrid, int priority, List<Ipv4> addresses, int advertIntervalCentis) {
        return new VrrpPacket(3, ADVERTISEMENT, vrid, priority, addresses, advertIntervalCentis, AuthType.NONE,
                new byte[0], true);
    }

    /**
     * The 8 authentication bytes keepalived sends for {@code auth_pass}: the password's UTF-8 bytes,
     * truncated to 8 (keepalived warns and truncates longer ones) or padded with zeros. Compare a received
     * packet's {@link #authData()} with this.
     */
    public static byte[] passwordBytes(String password) {
        return Arrays.copyOf(password.getBytes(StandardCharsets.UTF_8), AUTH_DATA_LENGTH);
    }

    /** A copy of the authentication data. */
    @Override
    public byte[] authData() {
        return authData.clone();
    }

    /** Whether this packet carries {@code password} (simple password auth), compared in constant time. */
    public boolean hasPassword(String password) {
        return authType == AuthType.PASS && java.security.MessageDigest.isEqual(authData, passwordBytes(password));
    }

    /** The advert interval in centiseconds (v2 seconds × 100). */
    public int advertIntervalCentis() {
        return version == 2 ? advertInterval * 100 : advertInterval;
    }

    /** The state machine's input for this advert, received from {@code source}. */
    public Input.AdvertReceived toInput(Ipv4 source) {
        return new Input.AdvertReceived(source, priority, advertIntervalCentis(), follower);
    }

    /** The length of the encoded VRRP message in bytes. */
    public int encodedLength() {
        return 8 + 4 * addresses.size() + (version == 2 ? AUTH_DATA_LENGTH : 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VrrpPacket p && version == p.version && type == p.type && vrid == p.vrid
                && priority == p.priority && addresses.equals(p.addresses) && advertInterval == p.advertInterval
                && authType == p.authType && Arrays.equals(authData, p.authData) && follower == p.follower;
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, type, vrid, priority, addresses, advertInterval, authType,
                Arrays.hashCode(authData), follower);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "VrrpPacket[v" + version + " vrid " + vrid + " priority " + priority + " addresses " + addresses
                + " interval " + advertInterval + (version == 2 ? "s auth " + authType : "cs")
                + (follower ? " follower" : "") + "]";
    }
}
