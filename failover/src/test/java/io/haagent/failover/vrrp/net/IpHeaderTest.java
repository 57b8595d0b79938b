package io.haagent.failover.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IpHeaderTest {

    @Test
    void plainHeader_givesAddressesTtlAndPayload() {
        byte[] packet = packet(5, 255, 112, new byte[] {0x31, 51, 100, 1});
        Datagram d = IpHeader.parse(MemorySegment.ofArray(packet), packet.length).orElseThrow();
        assertEquals(Ipv4.parse("10.0.1.11"), d.source());
        assertEquals(Ipv4.parse("10.0.1.10"), d.destination());
        assertEquals(255, d.ttl());
        assertArrayEquals(new byte[] {0x31, 51, 100, 1}, d.payload());
    }

    @Test
    void headerWithOptions_payloadStartsAfterThem() {
        byte[] packet = packet(6, 64, 112, new byte[] {0x21, 7});
        assertArrayEquals(new byte[] {0x21, 7},
                IpHeader.parse(MemorySegment.ofArray(packet), packet.length).orElseThrow().payload());
    }

    @Test
    void bytesBeyondTotalLength_areNotPayload() {
        byte[] packet = Arrays.copyOf(packet(5, 255, 112, new byte[] {0x31, 9}), 40);
        assertArrayEquals(new byte[] {0x31, 9},
                IpHeader.parse(MemorySegment.ofArray(packet), packet.length).orElseThrow().payload());
    }

    @Test
    void malformed_isDropped() {
        byte[] good = packet(5, 255, 112, new byte[] {0x31, 9});
        assertTrue(IpHeader.parse(MemorySegment.ofArray(good), 19).isEmpty(), "shorter than a header");
        assertTrue(IpHeader.parse(MemorySegment.ofArray(good), good.length - 1).isEmpty(), "total length beyond read");
        assertTrue(parse(packet(4, 255, 112, new byte[4])).isEmpty(), "IHL below 5");
        assertTrue(parse(packet(5, 255, 6, new byte[4])).isEmpty(), "not protocol 112");
        byte[] v6 = packet(5, 255, 112, new byte[4]);
        v6[0] = 0x65;
        assertTrue(parse(v6).isEmpty(), "not version 4");
    }

    private static java.util.Optional<Datagram> parse(byte[] packet) {
        return IpHeader.parse(MemorySegment.ofArray(packet), packet.length);
    }

    private static byte[] packet(int ihl, int ttl, int protocol, byte[] payload) {
        int headerLength = Math.max(ihl, 5) * 4;
        byte[] p = new byte[headerLength + payload.length];
        p[0] = (byte) (0x40 | ihl);
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = (byte) ttl;
        p[9] = (byte) protocol;
        System.arraycopy(new byte[] {10, 0, 1, 11, 10, 0, 1, 10}, 0, p, 12, 8);
        System.arraycopy(payload, 0, p, headerLength, payload.length);
        return p;
    }
}
