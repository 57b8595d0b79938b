package io.haagent.failover.vrrp.net;

import org.slf4j.Logger;

/** Hands datagrams to a receiver so that a receiver's bug costs one datagram, not the receive thread. */
final class Deliveries {
    private Deliveries() {}

    static void deliver(AdvertTransport.Receiver receiver, Datagram d, Logger log, String transport) {
        try {
            receiver.received(d);
        } catch (RuntimeException | AssertionError e) {
            log.warn("{} dropped a datagram from {} because its receiver threw", transport, d.source(), e);
        }
    }
}
