package io.haagent.failover.vrrp.net;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A receiver that queues what it gets, so a test waits for a datagram instead of sleeping. */
final class Received implements AdvertTransport.Receiver {
    private static final long WAIT_SECONDS = 5;
    private final BlockingQueue<Datagram> queue = new LinkedBlockingQueue<>();

    @Override
    public void received(Datagram d) {
        queue.add(d);
    }

    Datagram next() throws InterruptedException {
        Datagram d = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(d, "no datagram within " + WAIT_SECONDS + " s");
        return d;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** A UDP port nothing is bound to on 127.0.0.0/8 right now (testkit's FreePorts hands out TCP ones). */
    static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
