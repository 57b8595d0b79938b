package io.haagent.failover.vrrp.instance;

import io.haagent.config.Ipv4;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
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
 *  epoch                   8 bytes: random, drawn once per run of the sender (per instance start)
 *  counter                 8 bytes, big-endian, signed: the sender's wall clock in microseconds
 *  mac                     32 bytes: HMAC-SHA256(key, vrrp-bytes || epoch || counter || source(4) || destination(4)
 *                          || layout(1) = 2)
 * </pre>
 *
 * The source and destination IPv4 addresses are in the MAC but not in the datagram, so a seal made for one
 * pair of hosts fails anywhere else. The layout byte keeps the first layout (no epoch, haagent before issue 10)
 * from verifying as this one: such a peer is refused as {@code bad_auth}, with a detail that says to upgrade it.
 * The sender forces its counter strictly increasing within its run (max(last + 1, now)): two adverts in the
 * same microsecond, or a clock stepped back, never repeat a counter.
 *
 * <p>The receiver keeps, per peer, the epoch of the run it last accepted and the highest counter accepted in it:
 * <ul>
 *   <li>a counter more than {@link #MAX_AHEAD_MICROS} ahead of its own clock is refused ({@code clock_ahead}), so
 *       a sender whose clock runs ahead cannot raise the bar above what its own next run, with the right clock,
 *       will send (issue 10: both nodes were MASTER for the 10 minutes a stepped clock took to catch up);</li>
 *   <li>a counter more than {@link #MAX_AGE_MICROS} behind its own clock is refused ({@code replayed}): this
 *       bounds what a receiver that just restarted (and so forgot) can be fed;</li>
 *   <li>in the current run, a counter not above the highest is refused ({@code replayed});</li>
 *   <li>a new epoch is the peer's next run: accepted (inside the window above) and the previous run's epoch is
 *       retired — its adverts are refused from then on ({@code replayed}), so a recording of an earlier run
 *       cannot be played back to switch the runs back. An attacker cannot make up an epoch: it is under the MAC.</li>
 * </ul>
 * The pair's clocks must agree to within 30 s (NTP does far better).
 *
 * <p>Not thread-safe: one seal per instance, used on the instance's thread.
 */
final class HmacSeal {

    static final int EPOCH_LENGTH = 8;
    static final int COUNTER_LENGTH = 8;
    static final int MAC_LENGTH = 32;
    /** What the seal adds to the VRRP message. */
    static final int OVERHEAD = EPOCH_LENGTH + COUNTER_LENGTH + MAC_LENGTH;
    /** How far behind our clock a counter may be; bounds the replay window after a receiver restart. */
    static final long MAX_AGE_MICROS = 30_000_000L;
    /** How far ahead of our clock a counter may be: network delay is milliseconds, the rest is a clock off. */
    static final long MAX_AHEAD_MICROS = 30_000_000L;
    /** Retired epochs remembered per peer; older ones are long outside the age window anyway. */
    private static final int RETIRED_KEPT = 16;
    /** The seal's layout, under the MAC: 2 = with the epoch. The first layout (no epoch) had no such byte. */
    private static final byte LAYOUT = 2;

    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;
    private long epoch;
    private long lastSent = Long.MIN_VALUE;
    private final Map<Ipv4, PeerRun> peers = new HashMap<>();

    /** What the receiver knows of one peer's runs. */
    private static final class PeerRun {
        long epoch;
        long highest;
        final Deque<Long> retired = new ArrayDeque<>();

        PeerRun(long epoch, long highest) {
            this.epoch = epoch;
            this.highest = highest;
        }
    }

    /** What {@link #open} found. */
    sealed interface Opened {
        /** The MAC verified and the counter is fresh: the VRRP message is the first {@code vrrpLength} bytes. */
        record Valid(int vrrpLength, long counter) implements Opened {}

        /** {@code reason} is {@link AdvertDrop#BAD_AUTH}, {@link AdvertDrop#REPLAYED} or {@link AdvertDrop#CLOCK_AHEAD}. */
        record Invalid(AdvertDrop reason, String detail) implements Opened {}
    }

    /**
     * A seal with a random epoch for this run.
     *
     * @throws IllegalArgumentException if {@code key} is empty (HMAC would accept it, but it protects nothing)
     */
    HmacSeal(byte[] key) {
        this(key, new SecureRandom().nextLong());
    }

    /** A seal whose adverts carry {@code epoch} (tests: two runs of one sender). */
    HmacSeal(byte[] key, long epoch) {
        if (key.length == 0) {
            throw new IllegalArgumentException("the HMAC key is empty");
        }
        this.epoch = epoch;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime must provide HmacSHA256 (Mac javadoc), so this is a broken JDK.
            throw new IllegalStateException("this JDK cannot compute " + ALGORITHM, e);
        }
    }

    /**
     * {@code vrrp} followed by this run's epoch, the next counter and the MAC for a datagram from {@code source}
     * to {@code destination}.
     */
    byte[] seal(byte[] vrrp, Ipv4 source, Ipv4 destination, long wallMicros) {
        if (lastSent != Long.MIN_VALUE && wallMicros < lastSent - MAX_AHEAD_MICROS) {
            // Our clock was stepped back (it ran ahead): counters kept above the old ones would stay ahead of the
            // peer's clock, refused as clock_ahead until real time caught up. A new run starts from our clock,
            // which the peer accepts at once, as after a restart.
            epoch = new SecureRandom().nextLong();
            lastSent = Long.MIN_VALUE;
        }
        long counter = lastSent == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(lastSent + 1, wallMicros);
        lastSent = counter;
        byte[] out = Arrays.copyOf(vrrp, vrrp.length + OVERHEAD);
        putLong(out, vrrp.length, epoch);
        putLong(out, vrrp.length + EPOCH_LENGTH, counter);
        int signed = vrrp.length + EPOCH_LENGTH + COUNTER_LENGTH;
        byte[] tag = mac(out, signed, source, destination, true);
        System.arraycopy(tag, 0, out, signed, MAC_LENGTH);
        return out;
    }

    /**
     * Verifies the seal of {@code datagram} (from {@code source} to {@code destination}) and, when it holds
     * and the counter is fresh, records the run and counter as the latest accepted from {@code source}. Never
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
        int signed = datagram.length - MAC_LENGTH;
        byte[] got = Arrays.copyOfRange(datagram, signed, datagram.length);
        if (!MessageDigest.isEqual(mac(datagram, signed, source, destination, true), got)) {
            if (MessageDigest.isEqual(mac(datagram, signed, source, destination, false), got)) {
                return new Opened.Invalid(AdvertDrop.BAD_AUTH, "sealed in the first hmac layout, without a run "
                        + "epoch: the peer runs an older haagent; upgrade it (both ends need the same seal layout)");
            }
            return new Opened.Invalid(AdvertDrop.BAD_AUTH, "the HMAC seal does not verify: the peer uses another "
                    + "secret_file content or no hmac at all, or the datagram was altered");
        }
        long runEpoch = getLong(datagram, vrrpLength);
        long counter = getLong(datagram, vrrpLength + EPOCH_LENGTH);
        // As doubles: a counter near Long.MIN_VALUE or MAX_VALUE must not overflow into a "fresh" one.
        double ahead = (double) counter - (double) wallMicros;
        if (ahead > MAX_AHEAD_MICROS) {
            return new Opened.Invalid(AdvertDrop.CLOCK_AHEAD, String.format(Locale.ROOT,
                    "advert is %.1f s ahead of our clock (at most %d s is accepted): the clocks of the pair disagree;"
                    + " sync them (NTP)", ahead / 1e6, MAX_AHEAD_MICROS / 1_000_000));
        }
        if (-ahead > MAX_AGE_MICROS) {
            return new Opened.Invalid(AdvertDrop.REPLAYED, String.format(Locale.ROOT,
                    "advert is %.1f s old by our clock; if it is not a replay, are the clocks of the pair in sync?",
                    -ahead / 1e6));
        }
        PeerRun run = peers.get(source);
        if (run == null) {
            peers.put(source, new PeerRun(runEpoch, counter));
        } else if (run.epoch == runEpoch) {
            if (counter <= run.highest) {
                return new Opened.Invalid(AdvertDrop.REPLAYED, "counter " + counter + " is not above "
                        + run.highest + ", the highest accepted from " + source + ": a replayed or duplicated advert");
            }
            run.highest = counter;
        } else if (run.retired.contains(runEpoch)) {
            return new Opened.Invalid(AdvertDrop.REPLAYED, String.format(Locale.ROOT, "sealed by an earlier run of %s"
                    + " (epoch %016x), which has restarted since: a replayed advert", source, runEpoch));
        } else { // the peer's next run: its counters start afresh from its clock, whatever the last run's were
            if (run.retired.size() == RETIRED_KEPT) {
                run.retired.removeFirst();
            }
            run.retired.addLast(run.epoch);
            run.epoch = runEpoch;
            run.highest = counter;
        }
        return new Opened.Valid(vrrpLength, counter);
    }

    private byte[] mac(byte[] buf, int len, Ipv4 source, Ipv4 destination, boolean layoutByte) {
        mac.update(buf, 0, len);
        mac.update(source.toBytes());
        mac.update(destination.toBytes());
        if (layoutByte) {
            mac.update(LAYOUT);
        }
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
