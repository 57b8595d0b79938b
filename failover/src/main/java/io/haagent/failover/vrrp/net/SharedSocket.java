package io.haagent.failover.vrrp.net;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One endpoint's socket and the instances that share it. Registration changes happen under the hub's
 * lock; dispatch runs on the transport's thread and reads the concurrent map without it.
 */
final class SharedSocket implements AdvertTransport.Receiver {
    // RFC 5798 §5.1: version/type, then the VRID
    private static final int VRID_OFFSET = 1;

    final AdvertHub.Endpoint endpoint;
    final ConcurrentMap<Integer, AdvertTransport.Receiver> byVrid = new ConcurrentHashMap<>();
    private final LongAdder unclaimed;
    AdvertTransport transport; // set once, under the hub's lock, right after opening

    SharedSocket(AdvertHub.Endpoint endpoint, LongAdder unclaimed) {
        this.endpoint = endpoint;
        this.unclaimed = unclaimed;
    }

    /**
     * Hands the datagram to the instance of its vrid. One that no instance claims (another vrid, or too short
     * to carry one) goes to every instance on the endpoint, which refuses it with its reason ({@code
     * not_a_peer}, {@code wrong_vrid}, {@code too_short}, ...) and counts it in status and metrics: a peer
     * configured with the wrong vrid must show up there, not vanish here.
     */
    @Override
    public void received(Datagram d) {
        byte[] payload = d.payload();
        AdvertTransport.Receiver receiver =
                payload.length > VRID_OFFSET ? byVrid.get(payload[VRID_OFFSET] & 0xff) : null;
        if (receiver != null) {
            receiver.received(d);
            return;
        }
        boolean any = false;
        for (AdvertTransport.Receiver r : byVrid.values()) {
            r.received(d);
            any = true;
        }
        if (!any) {
            unclaimed.increment(); // between the last unregistration and the socket's close
        }
    }
}
