package io.haagent.failover.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

// Sockets opened in try-with-resources only for their side effect: receiving, holding a port.
@SuppressWarnings("try")
class UdpTransportTest {
    private static final Ipv4 A = Ipv4.parse("127.0.0.1");
    private static final Ipv4 B = Ipv4.parse("127.0.0.2");
    private static EventLoopGroup group;

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void roundtrip_receiverSeesSenderAndBoundAddressWithoutTtl() throws Exception {
        int portA = Received.freeUdpPort();
        int portB = Received.freeUdpPort();
        Received atA = new Received();
        Received atB = new Received();
        try (UdpTransport a = UdpTransport.open(group, A, portA, atA);
             UdpTransport b = UdpTransport.open(group, B, portB, atB)) {
            a.send(B, portB, new byte[] {0x31, 51, 100});
            Datagram there = atB.next();
            assertEquals(A, there.source());
            assertEquals(B, there.destination());
            assertEquals(Datagram.TTL_UNKNOWN, there.ttl());
            assertArrayEquals(new byte[] {0x31, 51, 100}, there.payload());

            b.send(A, portA, new byte[] {0x31, 52});
            Datagram back = atA.next();
            assertEquals(B, back.source());
            assertEquals(A, back.destination());
            assertArrayEquals(new byte[] {0x31, 52}, back.payload());
        }
    }

    @Test
    void portInUse_failsNamingUnicastPortAndAddress() throws Exception {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            int port = squatter.getLocalPort();
            IOException e = assertThrows(IOException.class, () -> UdpTransport.open(group, A, port, d -> {}));
            assertTrue(e.getMessage().startsWith("unicast.port " + port + " on 127.0.0.1 is already in use"),
                    e.getMessage());
        }
    }

    @Test
    void sourceNotOnThisHost_failsNamingUnicastSource() {
        // 192.0.2.0/24 is TEST-NET-1: never assigned to a host; bound only, nothing is sent there
        IOException e = assertThrows(IOException.class,
                () -> UdpTransport.open(group, Ipv4.parse("192.0.2.55"), Received.freeUdpPort(), d -> {}));
        assertTrue(e.getMessage().startsWith("unicast.source 192.0.2.55 is not an address of this host"),
                e.getMessage());
    }

    @Test
    void close_isIdempotentFreesThePortAndRefusesSends() throws Exception {
        int port = Received.freeUdpPort();
        UdpTransport t = UdpTransport.open(group, A, port, d -> {});
        t.close();
        t.close();
        try (DatagramSocket rebound = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port))) {
            assertEquals(port, rebound.getLocalPort());
        }
        assertThrows(IOException.class, () -> t.send(B, port, new byte[] {1, 2}));
    }

    @Test
    void receiverThatThrows_doesNotStopReceiving() throws Exception {
        int port = Received.freeUdpPort();
        Received later = new Received();
        try (UdpTransport b = UdpTransport.open(group, B, port, d -> {
                if (d.payload()[0] == 0) {
                    throw new IllegalStateException("receiver bug");
                }
                later.received(d);
            });
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port);
            sender.send(new java.net.DatagramPacket(new byte[] {0}, 1, to));
            sender.send(new java.net.DatagramPacket(new byte[] {7}, 1, to));
            assertArrayEquals(new byte[] {7}, later.next().payload());
        }
    }
}
