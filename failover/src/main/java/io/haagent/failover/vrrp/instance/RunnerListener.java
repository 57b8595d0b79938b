package io.haagent.failover.vrrp.instance;

import io.haagent.config.Ipv4;

/**
 * What a {@link VrrpInstanceRunner} tells the rest of the agent. Every method is called on the
 * instance's own thread, the one that also sends the adverts: it must return at once and hand any
 * long work (a Redis promotion, an ENI move, a mail) to its own executor, or the adverts stop and the
 * peer takes over. A method that throws is logged and does not stop the election.
 */
public interface RunnerListener {

    /** The instance changed state; called after the state file was written and the hooks were queued. */
    default void transitioned(VrrpEvent e) {}

    /**
     * As MASTER we heard {@code lowerPeer} claim mastership with a lower priority (typically after a
     * healed partition): re-assert what we own. Idempotent work only.
     */
    default void reassertMaster(String instance, Ipv4 lowerPeer, int peerPriority, int ourPriority) {}

    /**
     * A BACKUP (or FAULT) learned who the master is after its transition, from the master's advert;
     * {@code e} is the transition in force, now naming that master.
     */
    default void masterLearned(VrrpEvent e, Ipv4 master) {}

    /**
     * An advert from {@code peer} was admitted (before the election decided on it); must be cheap. Not for a leased
     * peer's follower advert, which is no master's (issue 14).
     */
    default void advertReceived(String instance, Ipv4 peer, int priority) {}

    /** A received datagram was refused (bad version, auth, unknown source...). */
    default void advertDropped(String instance, AdvertDrop reason) {}

    /** One advert left for one peer, carrying {@code priority} (0: this node resigned, RFC 5798 §6.4.3). */
    default void advertSent(String instance, int priority) {}
}
