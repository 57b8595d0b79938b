package io.haagent.failover.vrrp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.wire.DecodeResult.Dropped;
import io.haagent.failover.vrrp.wire.DecodeResult.Ok;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Nothing a peer sends can crash the agent: seeded random and mutated buffers through the decoder. */
class VrrpCodecFuzzTest {

    private static final int CASES = 200_000;

    @Test
    void decoderNeverThrowsAndEveryAcceptedPacketReEncodesToItsBytes() {
        Random r = new Random(0xF022_2026L);
        Map<DropReason, Integer> drops = new EnumMap<>(DropReason.class);
        int oks = 0;
        for (int i = 0; i < CASES; i++) {
            int caseNo = i;
            Ipv4 src = new Ipv4(r.nextInt());
            Ipv4 dst = r.nextInt(8) == 0 ? VrrpCodec.MULTICAST_GROUP : new Ipv4(r.nextInt());
            byte[] payload = switch (r.nextInt(4)) {
                case 0 -> randomBuffer(r);
                case 1 -> mutate(r, valid(r, src, dst));
                default -> fixChecksum(r, mutate(r, valid(r, src, dst)), src, dst);
            };
            // Place the payload inside a larger buffer so that off/len are exercised too.
            int before = r.nextInt(24);
            byte[] buf = new byte[before + payload.length + r.nextInt(24)];
            r.nextBytes(buf);
            System.arraycopy(payload, 0, buf, before, payload.length);

            DecodeResult res;
            try {
                res = VrrpCodec.decode(buf, before, payload.length, src, dst);
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " threw on " + HexFormat.of().formatHex(payload), e);
            }
            assertNotNull(res);
            switch (res) {
                case Ok ok -> {
                    oks++;
                    byte[] again = VrrpCodec.encode(ok.packet(), src, dst, ok.form());
                    assertArrayEquals(canonical(payload, ok.packet().version(), src, dst, ok.form()), again,
                            () -> "case " + caseNo + " re-encodes differently: " + HexFormat.of().formatHex(payload));
                    assertEquals(ok, VrrpCodec.decode(again, 0, again.length, src, dst));
                }
                case Dropped d -> {
                    assertNotNull(d.detail());
                    drops.merge(d.reason(), 1, Integer::sum);
                }
            }
        }
        // The generator must reach every reason and plenty of accepted packets, or it tests little.
        for (DropReason reason : DropReason.values()) {
            assertTrue(drops.getOrDefault(reason, 0) > 100, () -> "too few " + reason + ": " + drops);
        }
        assertTrue(oks > 10_000, "too few accepted packets: " + oks);
    }

    /**
     * What the encoder writes for an accepted input: the same bytes, except that the v3 reserved bits other than
     * haagent's follower bit are cleared and the checksum is the canonical one (0x0000, never its twin 0xFFFF).
     */
    private static byte[] canonical(byte[] payload, int version, Ipv4 src, Ipv4 dst, ChecksumForm form) {
        byte[] b = payload.clone();
        if (version == 3) {
            b[4] &= (byte) (0x0F | VrrpPacket.FOLLOWER_BIT);
        }
        b[6] = 0;
        b[7] = 0;
        int c = switch (form) {
            case V2_MESSAGE -> VrrpCodecTest.referenceChecksum(b);
            case V3_REAL_DESTINATION -> VrrpCodecTest.referenceV3Checksum(src, dst, b);
            case V3_MULTICAST_GROUP -> VrrpCodecTest.referenceV3Checksum(src, VrrpCodec.MULTICAST_GROUP, b);
        };
        b[6] = (byte) (c >> 8);
        b[7] = (byte) c;
        return b;
    }

    private static byte[] valid(Random r, Ipv4 src, Ipv4 dst) {
        VrrpPacket p = VrrpCodecTest.randomPacket(r);
        ChecksumForm form = p.version() == 2 ? ChecksumForm.V2_MESSAGE
                : r.nextBoolean() ? ChecksumForm.V3_REAL_DESTINATION : ChecksumForm.V3_MULTICAST_GROUP;
        return VrrpCodec.encode(p, src, dst, form);
    }

    private static byte[] randomBuffer(Random r) {
        byte[] b = new byte[r.nextInt(64)];
        r.nextBytes(b);
        if (b.length > 0 && r.nextBoolean()) {
            b[0] = (byte) ((r.nextBoolean() ? 0x20 : 0x30) | (r.nextInt(8) == 0 ? r.nextInt(16) : 1));
        }
        return b;
    }

    private static byte[] mutate(Random r, byte[] valid) {
        byte[] b = valid;
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds; k++) {
            switch (r.nextInt(7)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> {
                    if (b.length > 0) {
                        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                    }
                }
                case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                case 3 -> {
                    int old = b.length;
                    b = Arrays.copyOf(b, old + 1 + r.nextInt(16));
                    if (r.nextBoolean()) {
                        for (int j = old; j < b.length; j++) {
                            b[j] = (byte) r.nextInt(256);
                        }
                    }
                }
                case 4 -> {
                    if (b.length > 3) {
                        b[3] = (byte) r.nextInt(256);
                    }
                }
                case 5 -> {
                    // the interesting header fields: version/type, vrid, auth type, interval
                    int[] fields = {0, 1, 4, 5};
                    int f = fields[r.nextInt(fields.length)];
                    if (b.length > f) {
                        b[f] = (byte) (r.nextInt(4) == 0 ? 0 : r.nextInt(256));
                    }
                }
                default -> {
                    // leave it valid: some cases must reach the accept path untouched
                }
            }
        }
        return b;
    }

    /** Rewrites the checksum so that the mutation reaches the checks after it (sometimes as 0xFFFF twin). */
    private static byte[] fixChecksum(Random r, byte[] b, Ipv4 src, Ipv4 dst) {
        if (b.length < 8) {
            return b;
        }
        b[6] = 0;
        b[7] = 0;
        boolean v3 = (b[0] & 0xF0) == 0x30;
        int c = !v3 ? VrrpCodecTest.referenceChecksum(b)
                : VrrpCodecTest.referenceV3Checksum(src, r.nextBoolean() ? dst : VrrpCodec.MULTICAST_GROUP, b);
        if (c == 0 && r.nextBoolean()) {
            c = 0xFFFF;
        }
        b[6] = (byte) (c >> 8);
        b[7] = (byte) c;
        return b;
    }

    @Test
    void randomBuffersAloneNeverThrow() {
        Random r = new Random(0xF022_2027L);
        byte[] buf = new byte[600];
        for (int i = 0; i < 50_000; i++) {
            r.nextBytes(buf);
            int off = r.nextInt(buf.length);
            int len = r.nextInt(buf.length - off + 1);
            try {
                VrrpCodec.decode(buf, off, len, new Ipv4(r.nextInt()), new Ipv4(r.nextInt()));
            } catch (RuntimeException e) {
                fail("case " + i + " threw", e);
            }
        }
    }
}
