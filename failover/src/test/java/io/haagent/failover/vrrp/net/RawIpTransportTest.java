package io.haagent.failover.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import io.haagent.config.Ipv4;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real raw sockets on loopback; every packet goes to 127.0.0.x only. */
// Sockets opened in try-with-resources only for their side effect: receiving, holding a port.
@SuppressWarnings("try")
class RawIpTransportTest {
    private static final Ipv4 ONE = Ipv4.parse("127.0.0.1");
    private static final Ipv4 TWO = Ipv4.parse("127.0.0.2");
    private static final Ipv4 THREE = Ipv4.parse("127.0.0.3");

    @BeforeAll
    static void needsRoot() {
        long uid = new UnixSystem().getUid();
        assumeTrue(uid == 0, "raw IP tests need root (CAP_NET_RAW); running as uid " + uid);
    }

    @Test
    void advert_arrivesWithTtl255FromTheBoundSourceToThePeer() throws Exception {
        Received atTwo = new Received();
        byte[] payload = advert();
        try (RawIpTransport one = RawIpTransport.open(ONE, Optional.empty(), d -> {});
             RawIpTransport two = RawIpTransport.open(TWO, Optional.empty(), atTwo)) {
            one.send(TWO, 0, payload);
            Datagram d = atTwo.next();
            assertEquals(255, d.ttl());
            assertEquals(ONE, d.source());
            assertEquals(TWO, d.destination());
            assertArrayEquals(payload, d.payload());
        }
    }

    @Test
    void transportBoundToAnotherAddress_doesNotReceiveIt() throws Exception {
        Received atTwo = new Received();
        Received atThree = new Received();
        byte[] toTwo = advert();
        byte[] toThree = advert();
        try (RawIpTransport one = RawIpTransport.open(ONE, Optional.empty(), d -> {});
             RawIpTransport two = RawIpTransport.open(TWO, Optional.empty(), atTwo);
             RawIpTransport three = RawIpTransport.open(THREE, Optional.empty(), atThree)) {
            one.send(TWO, 0, toTwo);
            assertArrayEquals(toTwo, atTwo.next().payload());
            // A socket queues in arrival order: had .3 got the first packet, it would come out before this one.
            one.send(THREE, 0, toThree);
            assertArrayEquals(toThree, atThree.next().payload());
            assertTrue(atThree.isEmpty());
        }
    }

    @Test
    void boundToTheLoopbackDevice_stillReceives() throws Exception {
        Received atTwo = new Received();
        byte[] payload = advert();
        try (RawIpTransport one = RawIpTransport.open(ONE, Optional.of("lo"), d -> {});
             RawIpTransport two = RawIpTransport.open(TWO, Optional.of("lo"), atTwo)) {
            one.send(TWO, 0, payload);
            assertArrayEquals(payload, atTwo.next().payload());
        }
    }

    @Test
    void sourceNotOnThisHost_failsWithEaddrnotavail() {
        // TEST-NET-1: bound only, never sent to
        IOException e = assertThrows(IOException.class,
                () -> RawIpTransport.open(Ipv4.parse("192.0.2.55"), Optional.empty(), d -> {}));
        assertEquals("unicast.source 192.0.2.55 is not an address of this host (bind failed: EADDRNOTAVAIL)",
                e.getMessage());
    }

    @Test
    void interfaceThatDoesNotExist_failsWithEnodev() {
        IOException e = assertThrows(IOException.class,
                () -> RawIpTransport.open(ONE, Optional.of("haagent-nx0"), d -> {}));
        assertEquals("interface haagent-nx0 does not exist on this host (SO_BINDTODEVICE failed: ENODEV)",
                e.getMessage());
    }

    @Test
    void close_stopsTheReceiveThreadIsIdempotentAndRefusesSends() throws Exception {
        RawIpTransport t = RawIpTransport.open(THREE, Optional.empty(), d -> {});
        assertTrue(receiveThreadAlive("vrrp-ip-127.0.0.3"));
        t.close();
        assertFalse(receiveThreadAlive("vrrp-ip-127.0.0.3"));
        t.close();
        assertThrows(IOException.class, () -> t.send(TWO, 0, advert()));
    }

    @Test
    void receiverThatThrows_doesNotStopReceiving() throws Exception {
        Received later = new Received();
        byte[] second = advert();
        try (RawIpTransport one = RawIpTransport.open(ONE, Optional.empty(), d -> {});
             RawIpTransport two = RawIpTransport.open(TWO, Optional.empty(), d -> {
                 if (d.payload()[0] == 0) {
                     throw new IllegalStateException("receiver bug");
                 }
                 later.received(d);
             })) {
            one.send(TWO, 0, new byte[] {0, 1, 2, 3});
            one.send(TWO, 0, second);
            assertArrayEquals(second, later.next().payload());
        }
    }

    private static boolean receiveThreadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    // Random after a VRRP v3 header start, so a packet from elsewhere on the host cannot pass for ours.
    private static byte[] advert() {
        byte[] b = new byte[24];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] = 0x31;
        return b;
    }
}
