package io.haagent.failover.vrrp;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import java.util.ArrayList;
import java.util.List;

/**
 * What the election needs from one {@code vrrp_instance}, in the units it computes with.
 *
 * @param name                 the instance name, the prefix of every sentence
 * @param version              2 (RFC 3768) or 3 (RFC 5798)
 * @param priority             configured priority, 1..255 (255 = address owner, never adjusted by tracking)
 * @param advertIntervalCentis our advert interval in centiseconds
 * @param source               our primary address ({@code unicast.source}), the tie breaker
 */
public record VrrpParams(String name, int version, int priority, int advertIntervalCentis, Ipv4 source,
                         boolean preempt, long preemptDelayNanos, long startupDelayNanos,
                         List<VrrpInstance.Track> tracks) {

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
    }

    /** These params with one more tracked check (the instance's own interface, tracked like keepalived does). */
    public VrrpParams withTrack(VrrpInstance.Track track) {
        List<VrrpInstance.Track> all = new ArrayList<>(tracks);
        all.add(track);
        return new VrrpParams(name, version, priority, advertIntervalCentis, source, preempt, preemptDelayNanos,
                startupDelayNanos, all);
    }

    public static VrrpParams of(String name, VrrpInstance vi) {
        return new VrrpParams(name, vi.version(), vi.priority(), (int) (vi.advertInterval().toMillis() / 10),
                vi.unicast().source(), vi.preempt(), vi.preemptDelay().toNanos(), vi.startupDelay().toNanos(),
                vi.track());
    }
}
