package io.haagent.agent.load.push;

import io.haagent.agent.load.PushedSample;

/**
 * Where samples go: one sample per {@link #send}, called from one thread only, oldest first.
 *
 * <p>A send either took the whole sample or failed with a {@link SinkFailure}; it must be idempotent, because a sample
 * whose send failed is sent again (the same bytes: a sample is rendered once), and bounded in time (a sink has its own
 * timeout), because the push thread waits for it. A sink keeps what it needs between sends (a connection) and makes it
 * anew after a failure.
 */
public interface LoadSink extends AutoCloseable {

    /** How the log names this sink: {@code redis 10.0.0.5:6379}, {@code http https://scaler/load}. */
    String name();

    /** Hands one sample over; returns once the sink has it. */
    void send(PushedSample sample) throws SinkFailure;

    /**
     * Lets go of the connection; the sink's data about this host may go with it (a ZooKeeper ephemeral node does).
     * Called from another thread while a send hangs, it aborts that send, which then fails.
     */
    @Override
    void close();
}
