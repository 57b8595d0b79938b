package io.haagent.agent.heal;

import io.haagent.config.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The order to start services in: every service after the services it {@code depends_on}. */
public final class StartOrder {
    private StartOrder() {}

    /**
     * A topological order of the dependency graph; among services free to go, the file's order wins,
     * so the result is stable and readable. Dependencies on names that are not services are ignored
     * (lint reports them as {@code ref.unknown-service}).
     *
     * @throws IllegalArgumentException on a cycle, which lint rejects as {@code service.dependency-cycle}
     */
    public static List<String> of(Map<String, ServiceSpec> services) {
        List<String> order = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (placed.size() < services.size()) {
            boolean progress = false;
            for (var e : services.entrySet()) {
                if (placed.contains(e.getKey())) {
                    continue;
                }
                boolean ready = e.getValue().dependsOn().stream()
                        .allMatch(d -> placed.contains(d) || !services.containsKey(d));
                if (ready) {
                    placed.add(e.getKey());
                    order.add(e.getKey());
                    progress = true;
                    break; // restart from the top: earlier services in the file go first
                }
            }
            if (!progress) {
                List<String> stuck = services.keySet().stream().filter(n -> !placed.contains(n)).toList();
                throw new IllegalArgumentException("services " + stuck + " depend on each other in a circle;"
                        + " haagent lint reports this as service.dependency-cycle: remove one depends_on");
            }
        }
        return List.copyOf(order);
    }
}
