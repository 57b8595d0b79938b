package io.haagent.agent.heal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the healer remembers between two decisions, immutable.
 *
 * @param services  by name, in start order
 * @param seed      the state of the SplitMix64 sequence that jitter and event ids are drawn from, so that
 *                  {@code decide} stays a pure function; the daemon seeds it once from a secure random
 * @param checksUp  the checks whose last edge was UP, whichever services they judge: what a service's first start
 *                  waits for in its dependencies; kept across reloads, since checks report only their edges
 * @param started   {@link Observation.AgentStarted} came: services are started from then on, each once its
 *                  dependencies are ready, whatever decision finds them so
 */
public record HealState(Map<String, ServiceStatus> services, HostBudget budget, Optional<Pause> nodePause, long seed,
                        Set<String> checksUp, boolean started) {

    public HealState {
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        checksUp = Set.copyOf(checksUp);
    }

    public ServiceStatus service(String name) {
        ServiceStatus s = services.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no service named '" + name + "'; services: " + services.keySet());
        }
        return s;
    }
}
