package io.haagent.failover.vrrp.net;

import io.haagent.config.Ipv4;
import java.io.IOException;

/**
 * Carries VRRP payloads between this host and its peers, one socket per local endpoint. Bytes in,
 * bytes out: what the bytes mean (codec, auth, filters) is decided above, per instance.
 */
public interface AdvertTransport extends AutoCloseable {

    /** Gets every datagram the socket receives, on the transport's own receive thread; must not block. */
    @FunctionalInterface
    interface Receiver {
        void received(Datagram d);
    }

    /**
     * Sends {@code payload} to {@code peer} (port {@code port} on udp; ignored on ip). Does not block
     * for long; a failure is thrown for the caller to count and log, never retried here.
     */
    void send(Ipv4 peer, int port, byte[] payload) throws IOException;

    /** Stops receiving and releases the socket; idempotent. */
    @Override
    void close();
}
