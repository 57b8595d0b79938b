package io.haagent.failover.vrrp.instance;

import static io.haagent.failover.vrrp.instance.AdvertsTest.PEER;
import static io.haagent.failover.vrrp.instance.AdvertsTest.PEER_IP;
import static io.haagent.failover.vrrp.instance.AdvertsTest.US;
import static io.haagent.failover.vrrp.instance.AdvertsTest.US_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.instance.Admission.Admitted;
import io.haagent.failover.vrrp.instance.Admission.Refused;
import io.haagent.failover.vrrp.net.Datagram;
import io.haagent.failover.vrrp.wire.VrrpCodec;
import io.haagent.failover.vrrp.wire.VrrpPacket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Nothing a peer or a stranger sends can make {@link Adverts#admit} throw, and no altered hmac datagram gets
 * in. Seeded: rerun a failure with {@code -Dfuzz.seed=<the printed seed>}.
 */
class AdvertsFuzzTest {

    private static final int CASES_PER_CONFIG = 15_000;

    private static final List<String> CONFIGS = List.of(
            "version: 2",
            "version: 2, auth: { type: pass, password: s3cret }",
            "version: 3",
            "version: 3, transport: udp, auth: { type: hmac, secret: k3y-of-the-pair }",
            "version: 2, transport: udp, auth: { type: hmac, secret: k3y-of-the-pair }");

    @Test
    void admitNeverThrows_andAlteredHmacDatagramsNeverGetIn() {
        long seed = Long.getLong("fuzz.seed", 0x5EA1_2026L);
        for (String config : CONFIGS) {
            try {
                run(new SplittableRandom(seed), config);
            } catch (Throwable t) {
                throw new AssertionError("fuzz failed with seed " + seed + " (rerun with -Dfuzz.seed=" + seed
                        + ") for config {" + config + "}: " + t.getMessage(), t);
            }
        }
    }

    private static void run(SplittableRandom r, String config) {
        boolean hmac = config.contains("hmac");
        Adverts us = AdvertsTest.gate(US, PEER, config);
        Adverts peer = AdvertsTest.gate(PEER, US, config);
        // The peer's key and run epoch, to seal garbage as an authenticated but broken peer would (another epoch
        // would be another run of the peer, and every switch would retire one run's adverts as replayed).
        byte[] probe = peer.encode(100, 100, US_IP, AdvertsTest.T0 - 60_000_000);
        HmacSeal peerSeal = new HmacSeal("k3y-of-the-pair".getBytes(StandardCharsets.UTF_8),
                probe.length >= HmacSeal.OVERHEAD ? java.nio.ByteBuffer.wrap(probe, probe.length - HmacSeal.OVERHEAD,
                        HmacSeal.EPOCH_LENGTH).getLong() : 0);
        Map<AdvertDrop, Integer> refusals = new EnumMap<>(AdvertDrop.class);
        int admitted = 0;
        long wall = AdvertsTest.T0;
        for (int i = 0; i < CASES_PER_CONFIG; i++) {
            wall += r.nextLong(-2_000_000, 40_000_000);
            Ipv4 source = r.nextInt(10) == 0 ? new Ipv4(r.nextInt()) : PEER_IP;
            Ipv4 destination = r.nextInt(10) == 0 ? new Ipv4(r.nextInt()) : US_IP;
            int ttl = switch (r.nextInt(4)) {
                case 0 -> Datagram.TTL_UNKNOWN;
                case 1 -> r.nextInt(256);
                default -> 255;
            };
            byte[] genuine = peer.encode(r.nextInt(256), r.nextInt(1, 4096), US_IP, wall - r.nextLong(0, 1_000_000));
            boolean altered;
            byte[] payload;
            switch (r.nextInt(6)) {
                case 0 -> {
                    payload = new byte[r.nextInt(0, 120)];
                    r.nextBytes(payload);
                    altered = true;
                }
                case 1 -> {
                    payload = genuine;
                    altered = false;
                }
                case 2 -> {
                    // Well-formed, correctly summed (and sealed), but any field may be wrong for us.
                    byte[] vrrp = VrrpCodec.encode(randomPacket(r), source, destination);
                    payload = hmac ? peerSeal.seal(vrrp, source, destination, wall) : vrrp;
                    altered = false;
                }
                case 3 -> {
                    byte[] vrrp = mutate(r, Arrays.copyOf(genuine, genuine.length - (hmac ? HmacSeal.OVERHEAD : 0)));
                    payload = peerSeal.seal(vrrp, source, destination, wall);
                    altered = false; // under hmac: sealed with the right key, so authentic however broken inside
                }
                default -> {
                    payload = mutate(r, genuine);
                    altered = !Arrays.equals(payload, genuine);
                }
            }
            Datagram d = new Datagram(source, destination, ttl, payload);
            Admission a;
            try {
                a = us.admit(d, wall);
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " threw on " + d.source() + " -> " + d.destination() + " ttl "
                        + d.ttl() + " " + HexFormat.of().formatHex(payload), e);
            }
            switch (a) {
                case Admitted ok -> {
                    admitted++;
                    assertEquals(source, ok.input().source());
                    if (hmac && altered) {
                        throw new AssertionError("case " + i + ": an altered hmac datagram was admitted: "
                                + HexFormat.of().formatHex(payload));
                    }
                }
                case Refused no -> {
                    assertTrue(!no.detail().isBlank(), "a refusal says why");
                    refusals.merge(no.reason(), 1, Integer::sum);
                }
            }
        }
        // The generator must reach both outcomes, or it tests nothing.
        assertTrue(admitted > 0, "nothing was admitted: " + refusals);
        assertTrue(refusals.size() >= 9, "too few kinds of refusal: " + refusals);
    }

    private static VrrpPacket randomPacket(SplittableRandom r) {
        int vrid = r.nextBoolean() ? 51 : r.nextInt(1, 256);
        int priority = r.nextInt(256);
        List<Ipv4> addresses = r.nextBoolean() ? List.of(Ipv4.parse("10.0.1.100"))
                : IntStream.range(0, r.nextInt(4)).mapToObj(i -> new Ipv4(r.nextInt())).toList();
        return switch (r.nextInt(3)) {
            case 0 -> VrrpPacket.v2(vrid, priority, addresses, r.nextInt(1, 256));
            case 1 -> VrrpPacket.v2Pass(vrid, priority, addresses, r.nextInt(1, 256), r.nextBoolean() ? "s3cret" : "guess");
            default -> VrrpPacket.v3(vrid, priority, addresses, r.nextInt(1, 4096));
        };
    }

    private static byte[] mutate(SplittableRandom r, byte[] in) {
        byte[] b = in.clone();
        return switch (r.nextInt(4)) {
            case 0 -> Arrays.copyOf(b, r.nextInt(0, b.length + 1));
            case 1 -> {
                byte[] longer = Arrays.copyOf(b, b.length + r.nextInt(1, 16));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) r.nextInt();
                }
                yield longer;
            }
            default -> {
                for (int n = r.nextInt(1, 4); n > 0 && b.length > 0; n--) {
                    b[r.nextInt(b.length)] ^= (byte) r.nextInt(1, 256);
                }
                yield b;
            }
        };
    }
}
