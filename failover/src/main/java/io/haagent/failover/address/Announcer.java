package io.haagent.failover.address;

import io.haagent.config.Ipv4;
import java.io.IOException;

/** Tells the neighbours that an address now lives at this host's MAC: gratuitous ARP. */
interface Announcer {

    /**
     * Sends the first announcement before returning (so a failure is reported to the caller) and
     * schedules the repeats; returns what was done, for the step list.
     */
    String announce(Ipv4 address, String iface) throws IOException;

    /** Cancels the repeats still pending for this address, if any: it is being released. */
    void cancel(Ipv4 address);
}
