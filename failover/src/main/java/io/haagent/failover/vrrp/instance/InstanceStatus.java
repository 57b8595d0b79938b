package io.haagent.failover.vrrp.instance;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.ElectionHold;
import io.haagent.failover.vrrp.VrrpState;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A consistent snapshot of one instance, taken after its last event. Times are ticker nanos; turn
 * them into wall-clock time only for display.
 *
 * @param priority           the priority advertised now (configured priority adjusted by tracked checks)
 * @param configuredPriority the priority from the config
 * @param master             the master as this node knows it (itself when MASTER)
 * @param sinceNanos         when the instance entered {@code state} (its start while still in INIT)
 * @param lastEventId        the id of the last transition, empty before the first
 * @param advertsSent        adverts that left, one per peer
 * @param advertsReceived    adverts admitted (authenticated, from a configured peer)
 * @param drops              refused datagrams by {@link AdvertDrop#label()}, sorted by label
 * @param sendErrors         sends that failed
 * @param hold               what an operator holds the instance back from (a switchover stepped it down, a drain)
 * @param lease              the ZooKeeper lease of an instance in {@code lease_for}, else empty
 */
public record InstanceStatus(String name, VrrpState state, int priority, int configuredPriority,
                             Optional<Ipv4> master, long sinceNanos, String lastEventId, List<PeerStatus> peers,
                             long transitions, long advertsSent, long advertsReceived, Map<String, Long> drops,
                             long sendErrors, Optional<ElectionHold> hold, Optional<LeaseStatus> lease) {

    public InstanceStatus {
        peers = List.copyOf(peers);
        drops = Collections.unmodifiableMap(new TreeMap<>(drops));
    }

    /**
     * One configured peer.
     *
     * @param lastHeardNanos ticker nanos of its last admitted advert, empty if never heard
     * @param lastPriority   the priority in that advert
     */
    public record PeerStatus(Ipv4 address, OptionalLong lastHeardNanos, OptionalInt lastPriority) {}

    /**
     * The lease as last decided.
     *
     * @param phase   {@code IDLE}, {@code ACQUIRING}, {@code HELD}, {@code SUSPENDED} or {@code FAILSAFE}
     * @param epoch   the held lease's epoch (its node's czxid; a newer lease has a larger one), 0 when none
     * @param waiting ACQUIRING: the holder waited for, or the failure retried after, as last logged; else empty
     */
    public record LeaseStatus(String phase, long epoch, String waiting) {}

    /** This status with the lease's. */
    InstanceStatus withLease(Optional<LeaseStatus> l) {
        return new InstanceStatus(name, state, priority, configuredPriority, master, sinceNanos, lastEventId, peers,
                transitions, advertsSent, advertsReceived, drops, sendErrors, hold, l);
    }
}
