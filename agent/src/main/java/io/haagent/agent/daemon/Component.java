package io.haagent.agent.daemon;

import io.haagent.agent.systemd.Liveness;
import io.haagent.config.HaagentConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One part of the daemon that follows the config: the checks, the healer, later VRRP. The daemon
 * applies every config (the first, and each reload) to each component in order, on one thread.
 */
interface Component extends AutoCloseable {
    /**
     * Brings the component to {@code config}. {@code plan} says what changed against the config
     * applied before ({@code null} on the first apply): unchanged parts must keep their state.
     */
    void apply(HaagentConfig config, ReloadPlan plan);

    /** Done starting (systemd's READY waits for every component's): a first check round, every VRRP instance started. */
    default boolean started() {
        return true;
    }

    /** Adds the loops this component runs, with their last beat, for the systemd watchdog. */
    default void loops(List<Liveness.Loop> into) {}

    /** Adds this component's sections to the /status document. */
    void status(Map<String, Object> into);

    @Override
    void close();

    /** The wall-clock instant, for humans in /status, of a ticker reading {@code sinceNanos}. */
    static String wallTime(long sinceNanos, long nowNanos, Instant wallNow) {
        return wallNow.minusNanos(Math.max(0, nowNanos - sinceNanos)).toString();
    }
}
