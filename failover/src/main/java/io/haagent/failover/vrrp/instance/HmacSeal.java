package io.haagent.failover.vrrp.instance;

import io.haagent.config.Ipv4;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * haagent's own seal for adverts on the udp transport ({@code auth: {type: hmac}}); keepalived knows nothing of
 * it, which is why it is udp-only. A sealed datagram is
 *
 * <pre>
 *  vrrp-bytes              the VRRP message exactly as {@code VrrpCodec} encodes it
 *  counter                 8 bytes, big-endian, signed: the sender's wall clock in microseconds
 *  mac                     32 bytes: HMAC-SHA256(key, vrrp-bytes || counter || source(4) || destination(4))
 * </pre>
 *
 * The source and destination IPv4 addresses are in the MAC but not in the datagram, so a seal made for one
 * pair of hosts fails anywhere else. The sender forces its counter strictly increasing (max(last + 1, now)):
 * two adverts in the same microsecond, or a clock stepped back, never repeat a counter; and since it starts
 * from the wall clock, a restarted sender continues above what it sent before.
 *
 * <p>The receiver keeps the highest counter it accepted from each peer and refuses anything not above it.
 * That alone would let a receiver that just restarted (and so forgot) accept an old recording, so it also
 * refuses a counter more than {@link #MAX_AGE_MICROS} behind its own clock: the pair's clocks must agree
 * to within that (NTP does far better).
 *
 * <p>Not thread-safe: one seal per instance, used on the instance's thread.
 */
final class HmacSeal {

    static final int COUNTER_LENGTH = 8;
    static final int MAC_LENGTH = 32;
    /** What the seal adds to the VRRP message. */
    static final int OVERHEAD = COUNTER_LENGTH + MAC_LENGTH;
    /** How far behind our clock a counter may be; bounds the replay window after a receiver restart. */
    static final long MAX_AGE_MICROS = 30_000_000L;

    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;
    private long lastSent = Long.MIN_VALUE;
    private final Map<Ipv4, Long> highestAccepted = new HashMap<>();

    /** What {@link #open} found. */
    sealed interface Opened {
        /** The MAC verified and the counter is fresh: the VRRP message is the first {@code vrrpLength} bytes. */
        record Valid(int vrrpLength, long counter) implements Opened {}

        /** {@code reason} is {@link AdvertDrop#BAD_AUTH} or {@link AdvertDrop#REPLAYED}. */
        record Invalid(AdvertDrop reason, String detail) implements Opened {}
    }

    /** @throws IllegalArgumentException if {@code key} is empty (HMAC would accept it, but it protects nothing) */
    HmacSeal(byte[] key) {
        if (key.length == 0) {
            throw new IllegalArgumentException("the HMAC key is empty");
        }
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime must provide HmacSHA256 (Mac javadoc), so this is a broken JDK.
            throw new IllegalStateException("this JDK cannot compute " + ALGORITHM, e);
        }
    }

    /**
     * {@code vrrp} followed by the next counter and the MAC for a datagram from {@code source} to
     * {@code destination}.
     */
    byte[] seal(byte[] vrrp, Ipv4 source, Ipv4 destination, long wallMicros) {
        long counter = lastSent == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(lastSent + 1, wallMicros);
        lastSent = counter;
        byte[] out = Arrays.copyOf(vrrp, vrrp.length + OVERHEAD);
        putLong(out, vrrp.length, counter);
        byte[] tag = mac(out, vrrp.length + COUNTER_LENGTH, source, destination);
        System.arraycopy(tag, 0, out, vrrp.length + COUNTER_LENGTH, MAC_LENGTH);
        return out;
    }

    /**
     * Verifies the seal of {@code datagram} (from {@code source} to {@code destination}) and, when it holds
     * and the counter is fresh, records the counter as the highest accepted from {@code source}. Never
     * throws for any content of {@code datagram}.
     */
    Opened open(byte[] datagram, Ipv4 source, Ipv4 destination, long wallMicros) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        int vrrpLength = datagram.length - OVERHEAD;
        if (vrrpLength < 0) {
            return new Opened.Invalid(AdvertDrop.BAD_AUTH, datagram.length + " bytes, too short to carry the "
                    + OVERHEAD + "-byte HMAC seal: does the peer have auth type hmac too?");
        }
        byte[] expected = mac(datagram, vrrpLength + COUNTER_LENGTH, source, destination);
        byte[] got = Arrays.copyOfRange(datagram, vrrpLength + COUNTER_LENGTH, datagram.length);
        if (!MessageDigest.isEqual(expected, got)) {
            return new Opened.Invalid(AdvertDrop.BAD_AUTH, "the HMAC seal does not verify: the peer uses another "
                    + "secret_file content or no hmac at all, or the datagram was altered");
        }
        long counter = getLong(datagram, vrrpLength);
        Long highest = highestAccepted.get(source);
        if (highest != null && counter <= highest) {
            return new Opened.Invalid(AdvertDrop.REPLAYED, "counter " + counter + " is not above " + highest
                    + ", the highest accepted from " + source + ": a replayed or duplicated advert");
        }
        if (counter < wallMicros - MAX_AGE_MICROS) {
            // As doubles: a counter near Long.MIN_VALUE must not overflow into a "fresh" age.
            double ageSeconds = ((double) wallMicros - (double) counter) / 1e6;
            return new Opened.Invalid(AdvertDrop.REPLAYED, String.format(Locale.ROOT,
                    "advert is %.1f s old by our clock; if it is not a replay, are the clocks of the pair in sync?",
                    ageSeconds));
        }
        highestAccepted.put(source, counter);
        return new Opened.Valid(vrrpLength, counter);
    }

    private byte[] mac(byte[] buf, int len, Ipv4 source, Ipv4 destination) {
        mac.update(buf, 0, len);
        mac.update(source.toBytes());
        mac.update(destination.toBytes());
        return mac.doFinal();
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < COUNTER_LENGTH; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < COUNTER_LENGTH; i++) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }
}
