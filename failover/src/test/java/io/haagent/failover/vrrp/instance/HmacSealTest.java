package io.haagent.failover.vrrp.instance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.instance.HmacSeal.Opened;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSealTest {

    private static final byte[] KEY = "k3y-of-the-pair".getBytes(StandardCharsets.UTF_8);
    private static final Ipv4 A = Ipv4.parse("10.0.1.10");
    private static final Ipv4 B = Ipv4.parse("10.0.1.11");
    private static final Ipv4 C = Ipv4.parse("10.0.1.12");
    private static final long T0 = AdvertsTest.T0;
    /** Stands in for a VRRP message: the seal does not look inside. */
    private static final byte[] VRRP = {0x31, 51, (byte) 150, 1, 0, 100, 0x12, 0x34, 10, 0, 1, 100};

    private static Opened.Valid valid(Opened o) {
        return assertInstanceOf(Opened.Valid.class, o, () -> "invalid: " + o);
    }

    private static Opened.Invalid invalid(AdvertDrop reason, Opened o) {
        Opened.Invalid i = assertInstanceOf(Opened.Invalid.class, o, () -> "valid: " + o);
        assertEquals(reason, i.reason(), i.detail());
        return i;
    }

    @Test
    void format_isVrrpThenEpochThenCounterThenHmacOverBytesEpochCounterSourceDestinationLayout() throws Exception {
        byte[] sealed = new HmacSeal(KEY, 0x0123456789abcdefL).seal(VRRP, A, B, T0);
        assertEquals(VRRP.length + 8 + 8 + 32, sealed.length);
        assertArrayEquals(VRRP, Arrays.copyOf(sealed, VRRP.length));
        assertEquals(0x0123456789abcdefL, ByteBuffer.wrap(sealed, VRRP.length, 8).getLong());
        assertEquals(T0, ByteBuffer.wrap(sealed, VRRP.length + 8, 8).getLong());

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        mac.update(sealed, 0, VRRP.length + 16);
        mac.update(new byte[] {10, 0, 1, 10, 10, 0, 1, 11, 2});
        assertArrayEquals(mac.doFinal(), Arrays.copyOfRange(sealed, VRRP.length + 16, sealed.length));
    }

    /** A peer still on the first layout (vrrp, counter, MAC without the layout byte) is told to upgrade. */
    @Test
    void firstLayoutWithoutEpoch_isBadAuth_sayingToUpgradeThePeer() throws Exception {
        byte[] old = Arrays.copyOf(VRRP, VRRP.length + 8 + 8 + 32); // 8 more VRRP-ish bytes stand in for the message
        ByteBuffer.wrap(old, VRRP.length + 8, 8).putLong(T0);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        mac.update(old, 0, VRRP.length + 16);
        mac.update(new byte[] {10, 0, 1, 10, 10, 0, 1, 11});
        System.arraycopy(mac.doFinal(), 0, old, VRRP.length + 16, 32);
        Opened.Invalid i = invalid(AdvertDrop.BAD_AUTH, new HmacSeal(KEY).open(old, A, B, T0));
        assertTrue(i.detail().contains("older haagent"), i.detail());
    }

    @Test
    void open_ofASealedDatagram_givesTheVrrpLengthAndCounter() {
        byte[] sealed = new HmacSeal(KEY).seal(VRRP, A, B, T0);
        assertEquals(new Opened.Valid(VRRP.length, T0), new HmacSeal(KEY).open(sealed, A, B, T0));
    }

    @Test
    void sender_counterStrictlyIncreases_inOneMicrosecondAndWhenTheClockStepsBack() {
        HmacSeal sender = new HmacSeal(KEY);
        HmacSeal receiver = new HmacSeal(KEY);
        assertEquals(T0, valid(receiver.open(sender.seal(VRRP, A, B, T0), A, B, T0)).counter());
        assertEquals(T0 + 1, valid(receiver.open(sender.seal(VRRP, A, B, T0), A, B, T0)).counter());
        assertEquals(T0 + 2, valid(receiver.open(sender.seal(VRRP, A, B, T0 - 5_000_000), A, B, T0)).counter());
        assertEquals(T0 + 9, valid(receiver.open(sender.seal(VRRP, A, B, T0 + 9), A, B, T0)).counter());
    }

    @Test
    void otherKey_isBadAuth() {
        byte[] sealed = new HmacSeal("another".getBytes(StandardCharsets.UTF_8)).seal(VRRP, A, B, T0);
        invalid(AdvertDrop.BAD_AUTH, new HmacSeal(KEY).open(sealed, A, B, T0));
    }

    @Test
    void sealForAnotherSourceOrDestination_isBadAuth() {
        byte[] sealed = new HmacSeal(KEY).seal(VRRP, A, B, T0);
        invalid(AdvertDrop.BAD_AUTH, new HmacSeal(KEY).open(sealed, C, B, T0));
        invalid(AdvertDrop.BAD_AUTH, new HmacSeal(KEY).open(sealed, A, C, T0));
    }

    @Test
    void everySingleBitFlip_isBadAuth() {
        byte[] sealed = new HmacSeal(KEY).seal(VRRP, A, B, T0);
        HmacSeal receiver = new HmacSeal(KEY);
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] bad = sealed.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            invalid(AdvertDrop.BAD_AUTH, receiver.open(bad, A, B, T0));
        }
        valid(receiver.open(sealed, A, B, T0));
    }

    @Test
    void shorterThanTheSeal_isBadAuth() {
        Opened.Invalid i = invalid(AdvertDrop.BAD_AUTH, new HmacSeal(KEY).open(new byte[47], A, B, T0));
        assertEquals("47 bytes, too short to carry the 48-byte HMAC seal: does the peer have auth type hmac too?",
                i.detail());
        // Exactly a seal over nothing: verifies (the codec then refuses the empty message).
        byte[] bare = new HmacSeal(KEY).seal(new byte[0], A, B, T0);
        assertEquals(0, valid(new HmacSeal(KEY).open(bare, A, B, T0)).vrrpLength());
    }

    @Test
    void sameCounterTwice_isReplayed() {
        byte[] sealed = new HmacSeal(KEY).seal(VRRP, A, B, T0);
        HmacSeal receiver = new HmacSeal(KEY);
        valid(receiver.open(sealed, A, B, T0));
        Opened.Invalid i = invalid(AdvertDrop.REPLAYED, receiver.open(sealed, A, B, T0 + 1));
        assertEquals("counter " + T0 + " is not above " + T0 + ", the highest accepted from 10.0.1.10: "
                + "a replayed or duplicated advert", i.detail());
    }

    @Test
    void highestCounter_isKeptPerPeer() {
        HmacSeal receiver = new HmacSeal(KEY);
        valid(receiver.open(new HmacSeal(KEY).seal(VRRP, A, C, T0 + 1_000_000), A, C, T0 + 1_000_000));
        // B's clock is a second behind A's: its counter is lower, but it is B's first.
        valid(receiver.open(new HmacSeal(KEY).seal(VRRP, B, C, T0), B, C, T0 + 1_000_000));
    }

    @Test
    void refusedDatagrams_doNotMoveTheHighestCounter() {
        HmacSeal sender = new HmacSeal(KEY);
        HmacSeal receiver = new HmacSeal(KEY);
        byte[] first = sender.seal(VRRP, A, B, T0);
        byte[] forged = sender.seal(VRRP, A, B, T0 + 10_000_000);
        forged[0] ^= 1;
        invalid(AdvertDrop.BAD_AUTH, receiver.open(forged, A, B, T0));
        valid(receiver.open(first, A, B, T0));
    }

    @Test
    void age_upTo30sIsAccepted_beyondIsReplayed() {
        HmacSeal sender = new HmacSeal(KEY);
        byte[] edge = sender.seal(VRRP, A, B, T0);
        valid(new HmacSeal(KEY).open(edge, A, B, T0 + HmacSeal.MAX_AGE_MICROS));
        Opened.Invalid i = invalid(AdvertDrop.REPLAYED, new HmacSeal(KEY).open(edge, A, B, T0 + HmacSeal.MAX_AGE_MICROS + 1));
        assertEquals("advert is 30.0 s old by our clock; if it is not a replay, are the clocks of the pair in sync?",
                i.detail());
    }

    @Test
    void counterAhead_upTo30sIsAccepted_beyondIsClockAhead() {
        valid(new HmacSeal(KEY).open(new HmacSeal(KEY).seal(VRRP, A, B, T0 + HmacSeal.MAX_AHEAD_MICROS), A, B, T0));
        invalid(AdvertDrop.CLOCK_AHEAD,
                new HmacSeal(KEY).open(new HmacSeal(KEY).seal(VRRP, A, B, T0 + HmacSeal.MAX_AHEAD_MICROS + 1), A, B, T0));
    }

    @Test
    void newEpoch_startsAfresh_andRetiresThePreviousOne() {
        HmacSeal receiver = new HmacSeal(KEY);
        HmacSeal run1 = new HmacSeal(KEY, 1);
        HmacSeal run2 = new HmacSeal(KEY, 2);
        byte[] late = run1.seal(VRRP, A, B, T0 + 10_000_000);
        valid(receiver.open(late, A, B, T0));
        valid(receiver.open(run2.seal(VRRP, A, B, T0 + 1), A, B, T0 + 1)); // lower counter, new run: accepted
        Opened.Invalid i = invalid(AdvertDrop.REPLAYED, receiver.open(run1.seal(VRRP, A, B, T0 + 20_000_000), A, B,
                T0 + 2));
        assertEquals("sealed by an earlier run of 10.0.1.10 (epoch 0000000000000001), which has restarted since: a "
                + "replayed advert", i.detail());
        byte[] second = run2.seal(VRRP, A, B, T0 + 3);
        valid(receiver.open(second, A, B, T0 + 3));
        invalid(AdvertDrop.REPLAYED, receiver.open(second, A, B, T0 + 4));
    }

    @Test
    void freshSeals_drawDifferentEpochs() {
        byte[] a = new HmacSeal(KEY).seal(VRRP, A, B, T0);
        byte[] b = new HmacSeal(KEY).seal(VRRP, A, B, T0);
        assertTrue(ByteBuffer.wrap(a, VRRP.length, 8).getLong() != ByteBuffer.wrap(b, VRRP.length, 8).getLong());
    }

    @Test
    void emptyKey_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> new HmacSeal(new byte[0]));
    }
}
