package io.haagent.agent.heal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the healer remembers between two decisions, immutable.
 *
 * @param services  by name, in start order
 * @param seed      the state of the SplitMix64 sequence that jitter and event ids are drawn from, so that
 *                  {@code decide} stays a pure function; the daemon seeds it once from a secure random
 */
public record HealState(Map<String, ServiceStatus> services, HostBudget budget, Optional<Pause> nodePause, long seed) {

    public HealState {
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    }

    public ServiceStatus service(String name) {
        ServiceStatus s = services.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no service named '" + name + "'; services: " + services.keySet());
        }
        return s;
    }
}
