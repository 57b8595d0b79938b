package io.haagent.failover.vrrp.instance;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.ElectionState;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What one runner has seen and done, for {@link InstanceStatus}; confined to the runner's loop thread. */
final class Tally {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.failover.vrrp");

    private record Heard(long nanos, int priority) {}

    private final String name;
    private int configuredPriority;
    private final Map<Ipv4, Heard> peers = new LinkedHashMap<>();
    private final Set<Ipv4> failing = new HashSet<>();
    private final Map<String, Long> drops = new TreeMap<>();
    private final Set<AdvertDrop> dropsLogged = EnumSet.noneOf(AdvertDrop.class);
    private long sinceNanos;
    private String lastEventId = "";
    private long transitions;
    private long advertsSent;
    private long advertsReceived;
    private long sendErrors;

    Tally(String name, int configuredPriority, List<Ipv4> peerAddresses, long startedNanos) {
        this.name = name;
        this.configuredPriority = configuredPriority;
        peerAddresses.forEach(p -> peers.put(p, null));
        this.sinceNanos = startedNanos;
    }

    /** A reload's priority and peers; what was heard from a peer that stays is kept. */
    void reconfigure(int priority, List<Ipv4> peerAddresses) {
        configuredPriority = priority;
        peers.keySet().retainAll(Set.copyOf(peerAddresses));
        peerAddresses.forEach(p -> peers.putIfAbsent(p, null));
    }

    void heard(Ipv4 peer, long nanos, int priority) {
        advertsReceived++;
        if (peers.containsKey(peer)) {
            peers.put(peer, new Heard(nanos, priority));
        }
    }

    void dropped(AdvertDrop reason, String detail) {
        drops.merge(reason.label(), 1L, Long::sum);
        // the first of each kind is worth a warning (a peer with another auth or vrid never gets through);
        // the rest would flood the log at the advert rate
        if (dropsLogged.add(reason)) {
            log.warn("({}) dropped a datagram ({}): {}; further {} drops are logged at debug and counted in status",
                    name, reason.label(), detail, reason.label());
        } else {
            log.debug("({}) dropped a datagram ({}): {}", name, reason.label(), detail);
        }
    }

    /** Counts a successful send; true when sending to {@code peer} had been failing. */
    boolean sent(Ipv4 peer) {
        advertsSent++;
        return failing.remove(peer);
    }

    /** Counts a failed send; true when it is the first failure since the last success (log it). */
    boolean sendFailed(Ipv4 peer) {
        sendErrors++;
        return failing.add(peer);
    }

    void transitioned(String eventId, long nanos) {
        transitions++;
        lastEventId = eventId;
        sinceNanos = nanos;
    }

    InstanceStatus snapshot(ElectionState election, int advertisedPriority) {
        List<InstanceStatus.PeerStatus> ps = peers.entrySet().stream().map(e -> e.getValue() == null
                ? new InstanceStatus.PeerStatus(e.getKey(), OptionalLong.empty(), OptionalInt.empty())
                : new InstanceStatus.PeerStatus(e.getKey(), OptionalLong.of(e.getValue().nanos()),
                OptionalInt.of(e.getValue().priority()))).toList();
        Optional<Ipv4> master = election.master();
        return new InstanceStatus(name, election.state(), advertisedPriority, configuredPriority, master, sinceNanos,
                lastEventId, ps, transitions, advertsSent, advertsReceived, new TreeMap<>(drops), sendErrors, election.hold(),
                Optional.empty());
    }
}
