package io.haagent.agent.load;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.SequencedMap;

/**
 * What only haagent knows about this host, as the daemon sees it when a sample is taken: plain data the daemon fills,
 * so that a scaler does not scale on a dip that is really a failover or a restart.
 *
 * @param lifecycle the host's lifecycle ({@code POST /node/drain} and {@code /node/undrain})
 * @param vrrp      per VRRP instance by name, in name order
 * @param services  per supervised service by name, its state as {@code haagent status} shows it (RUNNING, FATAL, ...)
 */
public record HaView(Lifecycle lifecycle, SequencedMap<String, Vrrp> vrrp, SequencedMap<String, String> services) {

    /** Where a host is in its life, for a scaler: only {@code IN_SERVICE} is capacity. */
    public enum Lifecycle {
        STARTING, IN_SERVICE, DRAINING;

        /** {@code starting}, {@code in_service}, {@code draining}: how the sample spells it. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param state          the instance's state (INIT, BACKUP, MASTER, FAULT)
     * @param actionsRunning whether a transition's role actions (Redis promotion, the address move) are running
     */
    public record Vrrp(String state, boolean actionsRunning) {}

    public HaView {
        vrrp = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(vrrp));
        services = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(services));
    }

    /** Before the daemon has applied its first config: starting, nothing yet. */
    public static HaView starting() {
        return new HaView(Lifecycle.STARTING, new LinkedHashMap<>(), new LinkedHashMap<>());
    }
}
