package io.haagent.failover.vrrp.net;

import io.haagent.config.Ipv4;
import java.util.Objects;

/**
 * One VRRP payload as it arrived, before anything checked it.
 *
 * @param source      the sender's IPv4 address (from the IP header, or the UDP sender)
 * @param destination the address it was sent to (from the IP header, or our bound UDP address)
 * @param ttl         the IP TTL it arrived with; {@link #TTL_UNKNOWN} on the udp transport, which cannot see it
 * @param payload     what follows the IP header (raw) or the whole UDP payload (udp), not copied again
 */
public record Datagram(Ipv4 source, Ipv4 destination, int ttl, byte[] payload) {
    public static final int TTL_UNKNOWN = -1;

    public Datagram {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(payload, "payload");
    }
}
