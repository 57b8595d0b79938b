package io.haagent.failover.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance.Transport;
import io.haagent.failover.vrrp.net.AdvertHub.Endpoint;
import io.haagent.failover.vrrp.net.AdvertHub.Registration;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

// Sockets opened in try-with-resources only for their side effect: receiving, holding a port.
@SuppressWarnings("try")
class AdvertHubTest {
    private static final Ipv4 HOST = Ipv4.parse("127.0.0.2");

    private AdvertHub hub;
    private DatagramSocket peer;
    private Endpoint endpoint;

    @BeforeEach
    void open() throws IOException {
        hub = AdvertHub.system();
        peer = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        endpoint = new Endpoint(Transport.UDP, HOST, Received.freeUdpPort(), Optional.empty());
    }

    @AfterEach
    void close() {
        hub.close();
        peer.close();
    }

    @Test
    void twoVridsOnOneEndpoint_eachReceiverGetsOnlyItsOwn() throws Exception {
        Received vrid51 = new Received();
        Received vrid52 = new Received();
        try (Registration a = hub.register(endpoint, 51, vrid51);
             Registration b = hub.register(endpoint, 52, vrid52)) {
            sendFromPeer(new byte[] {0x31, 52, 1});
            sendFromPeer(new byte[] {0x31, 51, 2});
            sendFromPeer(new byte[] {0x31, 52, 3});
            assertArrayEquals(new byte[] {0x31, 51, 2}, vrid51.next().payload());
            assertArrayEquals(new byte[] {0x31, 52, 1}, vrid52.next().payload());
            assertArrayEquals(new byte[] {0x31, 52, 3}, vrid52.next().payload());
            assertTrue(vrid51.isEmpty(), "vrid 51 got another instance's advert");
        }
    }

    @Test
    void registrationSend_leavesFromTheEndpointsSocket() throws Exception {
        try (Registration r = hub.register(endpoint, 51, d -> {})) {
            r.send(Ipv4.parse("127.0.0.1"), peer.getLocalPort(), new byte[] {0x31, 51});
            DatagramPacket got = new DatagramPacket(new byte[64], 64);
            peer.setSoTimeout(5000);
            peer.receive(got);
            assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), endpoint.port()),
                    got.getSocketAddress());
            assertEquals(endpoint, r.endpoint());
        }
    }

    /** Issue 10, 3.7c: what no instance claims is refused and counted by the instances, not lost in the hub. */
    @Test
    void unknownVridAndTooShortPayload_goToEveryInstanceOnTheEndpoint() throws Exception {
        Received vrid51 = new Received();
        Received vrid52 = new Received();
        try (Registration a = hub.register(endpoint, 51, vrid51);
             Registration b = hub.register(endpoint, 52, vrid52)) {
            sendFromPeer(new byte[] {0x31, 99, 1});
            sendFromPeer(new byte[] {0x31});
            for (Received r : List.of(vrid51, vrid52)) {
                assertArrayEquals(new byte[] {0x31, 99, 1}, r.next().payload());
                assertArrayEquals(new byte[] {0x31}, r.next().payload());
            }
            assertEquals(Map.of(endpoint, 0L), hub.unclaimed());
        }
    }

    @Test
    void sameVridTwiceOnOneEndpoint_isRejectedAndTheFirstKeepsReceiving() throws Exception {
        Received first = new Received();
        try (Registration r = hub.register(endpoint, 51, first)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> hub.register(endpoint, 51, d -> {}));
            assertTrue(e.getMessage().startsWith("vrid 51 is already registered on udp 127.0.0.2:" + endpoint.port()),
                    e.getMessage());
            sendFromPeer(new byte[] {0x31, 51});
            assertArrayEquals(new byte[] {0x31, 51}, first.next().payload());
        }
    }

    @Test
    void lastRegistrationClosed_closesTheSocket() throws Exception {
        Registration a = hub.register(endpoint, 51, d -> {});
        Registration b = hub.register(endpoint, 52, d -> {});
        a.close();
        assertThrows(BindException.class, this::bindEndpointPort, "socket closed while vrid 52 still uses it");
        b.close();
        b.close();
        bindEndpointPort().close();
        assertThrows(IOException.class, () -> b.send(Ipv4.parse("127.0.0.1"), peer.getLocalPort(), new byte[] {1, 2}));
    }

    @Test
    void hubClosed_closesSocketsAndRefusesRegistrations() throws Exception {
        Registration r = hub.register(endpoint, 51, d -> {});
        hub.close();
        bindEndpointPort().close();
        assertThrows(IOException.class, () -> r.send(Ipv4.parse("127.0.0.1"), peer.getLocalPort(), new byte[] {1, 2}));
        assertThrows(IllegalStateException.class, () -> hub.register(endpoint, 52, d -> {}));
        r.close();
    }

    @Test
    void oneTransportPerEndpoint_openedByTheFirstAndClosedWithTheLast() throws Exception {
        List<String> events = new ArrayList<>();
        AdvertHub fake = AdvertHub.create((e, receiver) -> {
            events.add("open " + e);
            return new AdvertTransport() {
                @Override
                public void send(Ipv4 to, int port, byte[] payload) {}

                @Override
                public void close() {
                    events.add("close " + e);
                }
            };
        });
        Endpoint ip = new Endpoint(Transport.IP, HOST, 0, Optional.of("lo"));
        try (fake) {
            Registration a = fake.register(ip, 1, d -> {});
            Registration b = fake.register(ip, 2, d -> {});
            fake.register(endpoint, 1, d -> {});
            a.close();
            b.close();
            assertEquals(List.of("open ip 127.0.0.2 on lo", "open " + endpoint, "close ip 127.0.0.2 on lo"), events);
        }
        assertEquals("close " + endpoint, events.getLast());
    }

    @Test
    void endpoint_rejectsAPortOnIpAndNoneOnUdp() {
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Transport.IP, HOST, 112, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint(Transport.UDP, HOST, 0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> hub.register(endpoint, 256, d -> {}));
    }

    private void sendFromPeer(byte[] payload) throws IOException {
        peer.send(new DatagramPacket(payload, payload.length,
                new InetSocketAddress(InetAddress.getByName("127.0.0.2"), endpoint.port())));
    }

    private DatagramSocket bindEndpointPort() throws IOException {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), endpoint.port()));
    }
}
