package io.haagent.failover.address;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.config.Ipv4;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class GratuitousArpTest {

    @Test
    void frame_isAnArpRequest_senderIpEqualsTargetIp_broadcast_paddedTo60() {
        byte[] mac = HexFormat.ofDelimiter(":").parseHex("02:42:ac:11:00:02");
        byte[] f = GratuitousArp.frame(mac, Ipv4.parse("10.0.1.100"));

        assertEquals(60, f.length);
        HexFormat hex = HexFormat.of();
        assertEquals("ffffffffffff" + "0242ac110002" + "0806" // Ethernet: broadcast, from us, ARP
                + "0001" + "0800" + "06" + "04" + "0001" // Ethernet/IPv4, request
                + "0242ac110002" + "0a000164" // sender: our MAC, the address
                + "000000000000" + "0a000164", // target: zero MAC (RFC 5227), the same address
                hex.formatHex(f, 0, 42));
        assertArrayEquals(new byte[18], java.util.Arrays.copyOfRange(f, 42, 60));
    }
}
