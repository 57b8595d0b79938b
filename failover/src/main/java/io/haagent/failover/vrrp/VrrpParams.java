package io.haagent.failover.vrrp;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the election needs from one {@code vrrp_instance}, in the units it computes with.
 *
 * @param name                 the instance name, the prefix of every sentence
 * @param version              2 (RFC 3768) or 3 (RFC 5798)
 * @param priority             configured priority, 1..255 (255 = address owner, never adjusted by tracking)
 * @param advertIntervalCentis our advert interval in centiseconds
 * @param source               our primary address ({@code unicast.source}), the tie breaker
 * @param leased               the instance is in {@code coordination.zookeeper.lease_for}: MASTER only with the lease
 *                             ({@link Input.LeaseGranted}), which it asks for ({@link Action.AskLease}) instead of
 *                             becoming MASTER
 * @param peers                {@code unicast.peers}: a lease demotion names the one peer of a pair as the master, so
 *                             the local Redis stops taking writes at once
 */
public record VrrpParams(String name, int version, int priority, int advertIntervalCentis, Ipv4 source,
                         boolean preempt, long preemptDelayNanos, long startupDelayNanos,
                         List<VrrpInstance.Track> tracks, boolean leased, List<Ipv4> peers) {

    public VrrpParams {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("(" + name + ") VRRP version must be 2 or 3, got " + version);
        }
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("(" + name + ") priority must be 1..255, got " + priority);
        }
        if (advertIntervalCentis < 1 || advertIntervalCentis > 4095) {
            throw new IllegalArgumentException("(" + name + ") advert interval must be 1..4095 centiseconds, got "
                    + advertIntervalCentis);
        }
        tracks = List.copyOf(tracks);
        peers = List.copyOf(peers);
    }

    /** An instance without a lease and without named peers (the election itself needs neither). */
    public VrrpParams(String name, int version, int priority, int advertIntervalCentis, Ipv4 source, boolean preempt,
                      long preemptDelayNanos, long startupDelayNanos, List<VrrpInstance.Track> tracks) {
        this(name, version, priority, advertIntervalCentis, source, preempt, preemptDelayNanos, startupDelayNanos,
                tracks, false, List.of());
    }

    /** These params behind a lease ({@code leased}) or not. */
    public VrrpParams withLease(boolean lease) {
        return new VrrpParams(name, version, priority, advertIntervalCentis, source, preempt, preemptDelayNanos,
                startupDelayNanos, tracks, lease, peers);
    }

    /** The other end of a pair, when there is exactly one peer. */
    Optional<Ipv4> pairPeer() {
        return peers.size() == 1 ? Optional.of(peers.getFirst()) : Optional.empty();
    }

    /** These params with one more tracked check (the instance's own interface, tracked like keepalived does). */
    public VrrpParams withTrack(VrrpInstance.Track track) {
        List<VrrpInstance.Track> all = new ArrayList<>(tracks);
        all.add(track);
        return new VrrpParams(name, version, priority, advertIntervalCentis, source, preempt, preemptDelayNanos,
                startupDelayNanos, all, leased, peers);
    }

    public static VrrpParams of(String name, VrrpInstance vi) {
        return new VrrpParams(name, vi.version(), vi.priority(), (int) (vi.advertInterval().toMillis() / 10),
                vi.unicast().source(), vi.preempt(), vi.preemptDelay().toNanos(), vi.startupDelay().toNanos(),
                vi.track(), false, vi.unicast().peers().stream().map(VrrpInstance.Peer::address).toList());
    }
}
