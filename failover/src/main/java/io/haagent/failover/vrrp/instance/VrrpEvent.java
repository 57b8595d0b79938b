package io.haagent.failover.vrrp.instance;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.VrrpState;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One state change of one instance, as the state file, the notify hooks, mail and metrics see it.
 *
 * @param eventId  the id that ends the log sentence and reaches the hooks as {@code HAAGENT_EVENT_ID}
 * @param priority the priority advertised after the change (the notify hooks' last argument)
 * @param master   the master as this node knows it after the change (itself when MASTER)
 * @param at       wall-clock time, for humans only
 */
public record VrrpEvent(String eventId, String instance, VrrpState from, VrrpState to, String reason, int priority,
                        Optional<Ipv4> master, Instant at) {
    public VrrpEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(master, "master");
        Objects.requireNonNull(at, "at");
    }
}
