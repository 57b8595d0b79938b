package io.haagent.agent.heal;

import io.haagent.config.NodeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The host circuit breaker ({@code node.restart_budget}): at most {@code maxRestarts} automatic
 * restarts across all services within a sliding window. When many services fail at once the host is
 * the likelier culprit (a full disk, a dead network, memory pressure), and restarting everything
 * makes it worse. Immutable and pure: every method takes the time and returns a new budget.
 *
 * @param grants  when the restarts inside the window were granted, oldest first
 * @param holding whether restarts are being held (one event when this turns on, one when it turns off)
 */
public record HostBudget(int maxRestarts, long windowNanos, List<Long> grants, boolean holding) {

    public HostBudget {
        if (maxRestarts < 1 || windowNanos <= 0) {
            throw new IllegalArgumentException("a restart budget needs max_restarts >= 1 and a positive window, got "
                    + maxRestarts + " within " + windowNanos + "ns");
        }
        grants = List.copyOf(grants);
    }

    public static HostBudget of(NodeConfig.RestartBudget config) {
        return new HostBudget(config.maxRestarts(), config.within().toNanos(), List.of(), false);
    }

    /** Restarts granted within the window that ends now. */
    public int spent(long nowNanos) {
        return (int) grants.stream().filter(t -> nowNanos - t < windowNanos).count();
    }

    public boolean available(long nowNanos) {
        return spent(nowNanos) < maxRestarts;
    }

    /** Grants one restart now; the caller checked {@link #available}. */
    public HostBudget spend(long nowNanos) {
        List<Long> g = new ArrayList<>(grants.stream().filter(t -> nowNanos - t < windowNanos).toList());
        g.add(nowNanos);
        return new HostBudget(maxRestarts, windowNanos, g, holding);
    }

    /** When the next restart becomes available: now if one is, else when the oldest grant in the window ages out. */
    public long availableAtNanos(long nowNanos) {
        List<Long> live = grants.stream().filter(t -> nowNanos - t < windowNanos).toList();
        return live.size() < maxRestarts ? nowNanos : live.get(live.size() - maxRestarts) + windowNanos;
    }

    public HostBudget withHolding(boolean h) {
        return new HostBudget(maxRestarts, windowNanos, grants, h);
    }

    /** The same grants under new limits (a reload changed {@code node.restart_budget}). */
    public HostBudget reconfigured(NodeConfig.RestartBudget config) {
        return new HostBudget(config.maxRestarts(), config.within().toNanos(), grants, holding);
    }
}
