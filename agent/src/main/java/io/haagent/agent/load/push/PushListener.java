package io.haagent.agent.load.push;

import java.time.Instant;

/**
 * What the push did, for the metrics ({@code agent.metrics.AgentMetrics#loadPush}). Called on the push thread; a
 * listener that throws is logged and ignored, never stops the push.
 */
public interface PushListener {
    /** A listener that counts nothing. */
    PushListener NONE = new PushListener() {};

    /** The sink took one sample ({@code haagent_load_push_samples_total}) at wall-clock time {@code at}
     * ({@code haagent_load_push_last_success_timestamp_seconds}). */
    default void sent(Instant at) {}

    /** One send failed ({@code haagent_load_push_failures_total{reason}}); the sample stays at the head. */
    default void failed(FailureReason reason) {}

    /** The oldest sample was dropped: the backlog was full ({@code haagent_load_push_dropped_total}). */
    default void dropped() {}

    /** How many samples wait to be sent now ({@code haagent_load_push_buffered}). */
    default void buffered(int count) {}
}
