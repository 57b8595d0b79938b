package io.haagent.failover.vrrp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.Input;
import io.haagent.failover.vrrp.wire.DecodeResult.Dropped;
import io.haagent.failover.vrrp.wire.DecodeResult.Ok;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VrrpCodecTest {

    private static final Ipv4 SRC = Ipv4.parse("10.0.1.10");
    private static final Ipv4 DST = Ipv4.parse("10.0.1.11");
    private static final Ipv4 VIP = Ipv4.parse("10.0.1.100");
    private static final Ipv4 VIP2 = Ipv4.parse("10.0.1.101");

    // --- reference implementation, written independently of the codec: concatenate, sum, fold, complement ---

    /** RFC 1071 over {@code bytes}, whose checksum field is zero. */
    static int referenceChecksum(byte[] bytes) {
        long sum = 0;
        for (int i = 0; i < bytes.length; i += 2) {
            int hi = bytes[i] & 0xFF;
            int lo = i + 1 < bytes.length ? bytes[i + 1] & 0xFF : 0;
            sum += hi * 256 + lo;
        }
        while (sum > 0xFFFF) {
            sum = (sum % 0x10000) + (sum / 0x10000);
        }
        return 0xFFFF - (int) sum;
    }

    static int referenceV3Checksum(Ipv4 src, Ipv4 dst, byte[] message) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(src.toBytes());
        b.writeBytes(dst.toBytes());
        b.write(0);
        b.write(112);
        b.write(message.length >> 8);
        b.write(message.length & 0xFF);
        b.writeBytes(message);
        return referenceChecksum(b.toByteArray());
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static byte[] withChecksum(byte[] zeroed, int checksum) {
        byte[] out = zeroed.clone();
        out[6] = (byte) (checksum >> 8);
        out[7] = (byte) checksum;
        return out;
    }

    static Ok ok(DecodeResult r) {
        return assertInstanceOf(Ok.class, r, () -> "expected Ok, got " + r);
    }

    static Dropped dropped(DecodeResult r) {
        return assertInstanceOf(Dropped.class, r, () -> "expected Dropped, got " + r);
    }

    static DecodeResult decode(byte[] b) {
        return VrrpCodec.decode(b, 0, b.length, SRC, DST);
    }

    // --- golden vectors, laid out by hand from RFC 3768 §5.1 and RFC 5798 §5.1 ---

    @Test
    void v2AdvertWithoutAuthMatchesTheRfcLayoutByteForByte() {
        byte[] zeroed = hex("21 33 64 01 00 01 0000 0a000164 0000000000000000");
        assertEquals(0x6f66, referenceChecksum(zeroed), "hand-computed checksum");
        byte[] golden = hex("21 33 64 01 00 01 6f66 0a000164 0000000000000000");
        assertArrayEquals(withChecksum(zeroed, referenceChecksum(zeroed)), golden);

        VrrpPacket p = VrrpPacket.v2(51, 100, List.of(VIP), 1);
        assertArrayEquals(golden, VrrpCodec.encode(p, SRC, DST));
        Ok ok = ok(decode(golden));
        assertEquals(p, ok.packet());
        assertEquals(ChecksumForm.V2_MESSAGE, ok.form());
    }

    @Test
    void v2AdvertWithPasswordCarriesItZeroPaddedToEightBytes() {
        byte[] zeroed = hex("21 33 64 01 01 01 0000 0a000164 736563726574 0000");
        assertEquals(0x321a, referenceChecksum(zeroed), "hand-computed checksum");
        byte[] golden = hex("21 33 64 01 01 01 321a 0a000164 736563726574 0000");

        VrrpPacket p = VrrpPacket.v2Pass(51, 100, List.of(VIP), 1, "secret");
        assertArrayEquals(golden, VrrpCodec.encode(p, SRC, DST));
        VrrpPacket back = ok(decode(golden)).packet();
        assertEquals(AuthType.PASS, back.authType());
        assertTrue(back.hasPassword("secret"));
        assertFalse(back.hasPassword("secreT"));
        assertFalse(VrrpPacket.v2(51, 100, List.of(VIP), 1).hasPassword(""), "no auth is not an empty password");
        assertFalse(back.toString().contains("secret"), "toString must not leak the password");
    }

    @Test
    void passwordsLongerThanEightBytesAreTruncatedAsKeepalivedDoes() {
        assertArrayEquals("longpass".getBytes(), VrrpPacket.passwordBytes("longpassword"));
        assertTrue(ok(decode(VrrpCodec.encode(VrrpPacket.v2Pass(1, 1, List.of(), 1, "longpassword"), SRC, DST)))
                .packet().hasPassword("longpass"));
    }

    @Test
    void v3AdvertWithTwoAddressesUsesThePseudoHeaderWithTheRealDestination() {
        byte[] zeroed = hex("31 33 96 02 0064 0000 0a000164 0a000165");
        assertEquals(0x0b08, referenceV3Checksum(SRC, DST, zeroed), "hand-computed checksum");
        byte[] golden = hex("31 33 96 02 0064 0b08 0a000164 0a000165");

        VrrpPacket p = VrrpPacket.v3(51, 150, List.of(VIP, VIP2), 100);
        assertArrayEquals(golden, VrrpCodec.encode(p, SRC, DST));
        Ok ok = ok(decode(golden));
        assertEquals(p, ok.packet());
        assertEquals(ChecksumForm.V3_REAL_DESTINATION, ok.form());
    }

    @Test
    void v3AdvertIsAcceptedWithTheOldKeepalivedMulticastGroupChecksumAndSaysSo() {
        byte[] zeroed = hex("31 33 96 02 0064 0000 0a000164 0a000165");
        int compat = referenceV3Checksum(SRC, Ipv4.parse("224.0.0.18"), zeroed);
        assertEquals(0x3600, compat, "hand-computed checksum");
        byte[] old = withChecksum(zeroed, compat);

        VrrpPacket p = VrrpPacket.v3(51, 150, List.of(VIP, VIP2), 100);
        assertArrayEquals(old, VrrpCodec.encode(p, SRC, DST, ChecksumForm.V3_MULTICAST_GROUP));
        Ok ok = ok(decode(old));
        assertEquals(p, ok.packet());
        assertEquals(ChecksumForm.V3_MULTICAST_GROUP, ok.form());
    }

    @Test
    void v3ChecksumForAnotherDestinationIsRejected() {
        byte[] toSomeoneElse = VrrpCodec.encode(VrrpPacket.v3(51, 150, List.of(VIP), 100), SRC, Ipv4.parse("10.0.1.12"));
        assertEquals(DropReason.BAD_CHECKSUM, dropped(decode(toSomeoneElse)).reason());
        byte[] fromSomeoneElse = VrrpCodec.encode(VrrpPacket.v3(51, 150, List.of(VIP), 100), Ipv4.parse("10.0.1.12"), DST);
        assertEquals(DropReason.BAD_CHECKSUM, dropped(decode(fromSomeoneElse)).reason());
    }

    @Test
    void v2ChecksumDoesNotDependOnAddresses() {
        VrrpPacket p = VrrpPacket.v2(51, 100, List.of(VIP), 1);
        assertArrayEquals(VrrpCodec.encode(p, SRC, DST), VrrpCodec.encode(p, VIP, VIP2));
    }

    @Test
    void encodeRefusesAChecksumFormOfTheOtherVersion() {
        assertThrows(IllegalArgumentException.class, () ->
                VrrpCodec.encode(VrrpPacket.v2(1, 1, List.of(), 1), SRC, DST, ChecksumForm.V3_REAL_DESTINATION));
        assertThrows(IllegalArgumentException.class, () ->
                VrrpCodec.encode(VrrpPacket.v3(1, 1, List.of(), 1), SRC, DST, ChecksumForm.V2_MESSAGE));
    }

    @Test
    void checksumNegativeZeroTwinIsAcceptedAsKeepalivedDoesAndReEncodedCanonically() {
        // Choose the last auth word so that the message sums to 0xFFFF: its checksum is then 0x0000, and
        // 0xFFFF verifies as well under RFC 1071.
        byte[] b = VrrpCodec.encode(VrrpPacket.v2(51, 100, List.of(VIP), 1), SRC, DST);
        b[6] = 0;
        b[7] = 0;
        int fill = referenceChecksum(b);
        b[b.length - 2] = (byte) (fill >> 8);
        b[b.length - 1] = (byte) fill;
        assertEquals(0, referenceChecksum(b));
        byte[] twin = withChecksum(b, 0xFFFF);
        VrrpPacket p = ok(decode(twin)).packet();
        assertArrayEquals(b, VrrpCodec.encode(p, SRC, DST));
    }

    // --- drop reasons ---

    private static byte[] patched(byte[] valid, int index, int value, boolean v3) {
        byte[] b = valid.clone();
        b[index] = (byte) value;
        b[6] = 0;
        b[7] = 0;
        int c = v3 ? referenceV3Checksum(SRC, DST, b) : referenceChecksum(b);
        return withChecksum(b, c);
    }

    @Test
    void eachMalformationIsDroppedWithItsOwnReason() {
        byte[] v2 = VrrpCodec.encode(VrrpPacket.v2(51, 100, List.of(VIP), 1), SRC, DST);
        byte[] v3 = VrrpCodec.encode(VrrpPacket.v3(51, 100, List.of(VIP), 100), SRC, DST);

        assertEquals(DropReason.TOO_SHORT, dropped(decode(Arrays.copyOf(v2, 7))).reason());
        assertEquals(DropReason.TOO_SHORT, dropped(decode(new byte[0])).reason());
        assertEquals(DropReason.BAD_VERSION, dropped(decode(patched(v2, 0, 0x41, false))).reason());
        assertEquals(DropReason.BAD_VERSION, dropped(decode(patched(v2, 0, 0x11, false))).reason());
        assertEquals(DropReason.BAD_TYPE, dropped(decode(patched(v2, 0, 0x22, false))).reason());
        assertEquals(DropReason.BAD_TYPE, dropped(decode(patched(v3, 0, 0x30, true))).reason());
        assertEquals(DropReason.BAD_VRID, dropped(decode(patched(v2, 1, 0, false))).reason());
        assertEquals(DropReason.BAD_LENGTH, dropped(decode(patched(v2, 3, 2, false))).reason());
        assertEquals(DropReason.BAD_LENGTH, dropped(decode(Arrays.copyOf(v2, v2.length - 8))).reason(),
                "v2 without its 8 auth bytes");
        assertEquals(DropReason.BAD_LENGTH, dropped(decode(Arrays.copyOf(v3, v3.length + 8))).reason(),
                "v3 with auth bytes it does not have");
        assertEquals(DropReason.BAD_CHECKSUM, dropped(decode(withChecksum(v2, 0x1234))).reason());
        assertEquals(DropReason.BAD_CHECKSUM, dropped(decode(withChecksum(v3, 0x1234))).reason());
        Dropped ah = dropped(decode(patched(v2, 4, 2, false)));
        assertEquals(DropReason.BAD_AUTH_TYPE, ah.reason());
        assertTrue(ah.detail().contains("AH"), ah.detail());
        assertEquals(DropReason.BAD_AUTH_TYPE, dropped(decode(patched(v2, 4, 7, false))).reason());
        assertEquals(DropReason.ZERO_INTERVAL, dropped(decode(patched(v2, 5, 0, false))).reason());
        assertEquals(DropReason.ZERO_INTERVAL, dropped(decode(patched(v3, 5, 0, true))).reason());
    }

    @Test
    void v3ReservedBitsAreIgnoredAndTheIntervalUsesAllTwelveBits() {
        byte[] v3 = VrrpCodec.encode(VrrpPacket.v3(51, 100, List.of(VIP), 4095), SRC, DST);
        assertEquals(0x0F, v3[4]);
        assertEquals(4095, ok(decode(v3)).packet().advertInterval());
        byte[] reserved = patched(v3, 4, 0x7F, true);
        assertEquals(4095, ok(decode(reserved)).packet().advertInterval());
        assertFalse(ok(decode(reserved)).packet().follower(), "the three other reserved bits mean nothing");
    }

    /** Issue 14: a leased BACKUP's follower advert sets the highest reserved bit; nothing else changes. */
    @Test
    void v3FollowerBit_roundTrips_andKeepsTheInterval() {
        VrrpPacket follower = VrrpPacket.v3Follower(51, 100, List.of(VIP), 4095);
        byte[] bytes = VrrpCodec.encode(follower, SRC, DST);
        assertEquals((byte) 0x8F, bytes[4]);
        VrrpPacket back = ok(decode(bytes)).packet();
        assertTrue(back.follower());
        assertEquals(4095, back.advertInterval());
        assertEquals(follower, back);
        assertNotEquals(VrrpPacket.v3(51, 100, List.of(VIP), 4095), back);
        assertThrows(IllegalArgumentException.class, () -> new VrrpPacket(2, 1, 1, 1, List.of(), 1, AuthType.NONE,
                new byte[8], true));
    }

    @Test
    void zeroAddressesAndMaximumAddressesAreWellFormed() {
        VrrpPacket none = VrrpPacket.v3(7, 100, List.of(), 100);
        assertEquals(none, ok(decode(VrrpCodec.encode(none, SRC, DST))).packet());
        List<Ipv4> many = new ArrayList<>();
        for (int i = 0; i < 255; i++) {
            many.add(new Ipv4(0x0A000000 + i));
        }
        VrrpPacket full = VrrpPacket.v2(7, 100, many, 255);
        byte[] bytes = VrrpCodec.encode(full, SRC, DST);
        assertEquals(8 + 255 * 4 + 8, bytes.length);
        assertEquals(full, ok(decode(bytes)).packet());
    }

    @Test
    void decodeReadsOnlyTheGivenSliceOfALargerBuffer() {
        byte[] v3 = VrrpCodec.encode(VrrpPacket.v3(9, 200, List.of(VIP), 100), SRC, DST);
        byte[] framed = new byte[20 + v3.length + 5];
        Arrays.fill(framed, (byte) 0x5A);
        System.arraycopy(v3, 0, framed, 20, v3.length);
        assertEquals(VrrpPacket.v3(9, 200, List.of(VIP), 100),
                ok(VrrpCodec.decode(framed, 20, v3.length, SRC, DST)).packet());
        assertThrows(IndexOutOfBoundsException.class, () -> VrrpCodec.decode(framed, 20, framed.length, SRC, DST));
    }

    @Test
    void packetRefusesValuesTheWireCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> VrrpPacket.v2(0, 100, List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> VrrpPacket.v2(256, 100, List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> VrrpPacket.v2(1, 256, List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> VrrpPacket.v2(1, 100, List.of(), 256));
        assertThrows(IllegalArgumentException.class, () -> VrrpPacket.v3(1, 100, List.of(), 4096));
        assertThrows(IllegalArgumentException.class, () -> VrrpPacket.v3(1, 100, List.of(), 0));
        assertThrows(IllegalArgumentException.class, () ->
                new VrrpPacket(3, 1, 1, 1, List.of(), 1, AuthType.PASS, new byte[0]));
        assertThrows(IllegalArgumentException.class, () ->
                new VrrpPacket(2, 1, 1, 1, List.of(), 1, AuthType.NONE, new byte[7]));
        assertThrows(IllegalArgumentException.class, () ->
                new VrrpPacket(2, 2, 1, 1, List.of(), 1, AuthType.NONE, new byte[8]));
    }

    @Test
    void authDataIsCopiedInAndOut() {
        byte[] auth = "abcdefgh".getBytes();
        VrrpPacket p = new VrrpPacket(2, 1, 1, 1, List.of(), 1, AuthType.PASS, auth);
        auth[0] = 'X';
        p.authData()[1] = 'Y';
        assertTrue(p.hasPassword("abcdefgh"));
        assertEquals(p, new VrrpPacket(2, 1, 1, 1, List.of(), 1, AuthType.PASS, "abcdefgh".getBytes()));
        assertNotEquals(p, new VrrpPacket(2, 1, 1, 1, List.of(), 1, AuthType.PASS, "abcdefgX".getBytes()));
    }

    // --- to the state machine ---

    @Test
    void v2SecondsBecomeCentisecondsForTheStateMachine() {
        Input.AdvertReceived in = VrrpPacket.v2(51, 100, List.of(VIP), 3).toInput(DST);
        assertEquals(new Input.AdvertReceived(DST, 100, 300), in);
        assertEquals(new Input.AdvertReceived(DST, 0, 25500), VrrpPacket.v2(51, 0, List.of(), 255).toInput(DST));
    }

    @Test
    void v3CentisecondsPassThroughToTheStateMachine() {
        assertEquals(new Input.AdvertReceived(SRC, 150, 100), VrrpPacket.v3(51, 150, List.of(VIP), 100).toInput(SRC));
    }

    // --- random round trips and bit flips ---

    static VrrpPacket randomPacket(Random r) {
        List<Ipv4> addresses = new ArrayList<>();
        int n = r.nextInt(10) == 0 ? r.nextInt(256) : r.nextInt(4);
        for (int i = 0; i < n; i++) {
            addresses.add(new Ipv4(r.nextInt()));
        }
        int vrid = 1 + r.nextInt(255);
        int priority = r.nextInt(256);
        if (r.nextBoolean()) {
            byte[] auth = new byte[8];
            AuthType type = r.nextBoolean() ? AuthType.NONE : AuthType.PASS;
            if (type == AuthType.PASS || r.nextInt(4) == 0) {
                r.nextBytes(auth);
            }
            return new VrrpPacket(2, 1, vrid, priority, addresses, 1 + r.nextInt(255), type, auth);
        }
        return VrrpPacket.v3(vrid, priority, addresses, 1 + r.nextInt(4095));
    }

    @Test
    void randomValidPacketsRoundTrip() {
        Random r = new Random(0x5EED_0001L);
        for (int i = 0; i < 5_000; i++) {
            VrrpPacket p = randomPacket(r);
            Ipv4 src = new Ipv4(r.nextInt());
            Ipv4 dst = new Ipv4(r.nextInt());
            byte[] bytes = VrrpCodec.encode(p, src, dst);
            assertEquals(p.encodedLength(), bytes.length);
            Ok ok = ok(VrrpCodec.decode(bytes, 0, bytes.length, src, dst));
            assertEquals(p, ok.packet(), "seed case " + i);
            byte[] zeroed = bytes.clone();
            zeroed[6] = 0;
            zeroed[7] = 0;
            int expected = p.version() == 2 ? referenceChecksum(zeroed) : referenceV3Checksum(src, dst, zeroed);
            assertEquals(expected, (bytes[6] & 0xFF) << 8 | (bytes[7] & 0xFF), "checksum, case " + i);
        }
    }

    @Test
    void everySingleBitFlipOfAValidPacketIsDropped() {
        Random r = new Random(0x5EED_0002L);
        for (int i = 0; i < 300; i++) {
            VrrpPacket p = randomPacket(r);
            byte[] bytes = VrrpCodec.encode(p, SRC, DST);
            for (int bit = 0; bit < bytes.length * 8; bit++) {
                byte[] flipped = bytes.clone();
                flipped[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
                // the follower bit (32) is a meaning of its own: a flip of it is caught by the checksum like any other
                boolean reservedBit = p.version() == 3 && bit > 32 && bit < 36;
                DecodeResult res = decode(flipped);
                if (reservedBit) {
                    // A reserved bit changes nothing the packet means, but the checksum still catches it.
                    assertEquals(DropReason.BAD_CHECKSUM, dropped(res).reason());
                } else {
                    assertInstanceOf(Dropped.class, res, () -> "bit flip accepted: " + res);
                }
            }
        }
    }
}
