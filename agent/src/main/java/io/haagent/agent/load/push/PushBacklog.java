package io.haagent.agent.load.push;

import io.haagent.config.Durations;
import io.haagent.time.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * What to send next, and when: a pure function of the samples offered, the sink's answers and the monotonic time
 * passed in (STYLE §5), so it is tested without sleeps; {@link LoadPusher} is its one caller and performs the sends.
 *
 * <p>A bounded FIFO: samples go oldest first, one at a time, each after the previous one was taken; beyond the bound
 * the oldest is dropped (a scaler wants the recent past more than the distant one) and counted. After a failure the
 * head is retried after the {@link Backoff}'s wait, doubling per failure in a row; a success sends the next at once.
 *
 * <p>An outage is two sentences, never one per sample (STYLE §8): "down" at the first failure, "back" once the
 * backlog has been resent, with how many samples were resent and how many were dropped meanwhile. A failure while
 * resending continues the outage.
 *
 * @param <T> a sample ({@code PushedSample}; anything in tests)
 */
final class PushBacklog<T> {
    private final String sinkName;
    private final int bound;
    private final Backoff backoff;
    private final ArrayDeque<T> samples = new ArrayDeque<>();
    private long retryAtNanos;
    private int failuresInARow;
    /** The outage: open from the first failure until the backlog is resent. */
    private boolean down;
    private long downSinceNanos;
    private long backAtNanos;
    private boolean back;
    private int resent;
    private int droppedInOutage;

    /**
     * @param sinkName how the sentences name the sink ({@link LoadSink#name})
     * @param bound    how many samples are kept at most
     */
    PushBacklog(String sinkName, int bound, Backoff backoff) {
        if (bound < 1) {
            throw new IllegalArgumentException("the load push buffer must hold at least one sample: " + bound);
        }
        this.sinkName = sinkName;
        this.bound = bound;
        this.backoff = backoff;
    }

    /** Adds a sample at the tail; returns whether the oldest was dropped to make room. */
    boolean offer(T sample) {
        boolean dropped = samples.size() == bound;
        if (dropped) {
            samples.removeFirst();
            droppedInOutage++;
        }
        samples.addLast(sample);
        return dropped;
    }

    /** The head, when it may be sent at {@code now}: present and past any backoff. */
    Optional<T> due(long now) {
        return samples.isEmpty() || now - retryAtNanos < 0 ? Optional.empty() : Optional.of(samples.peekFirst());
    }

    /** When the head may be sent: {@link Long#MAX_VALUE} with nothing to send. */
    long nextAttemptAtNanos() {
        return samples.isEmpty() ? Long.MAX_VALUE : retryAtNanos;
    }

    /** The head was taken; returns the "back" sentence when this ends an outage. */
    Optional<String> sent(long now) {
        samples.pollFirst();
        failuresInARow = 0;
        retryAtNanos = now;
        if (!down) {
            return Optional.empty();
        }
        if (!back) {
            back = true;
            backAtNanos = now;
        }
        resent++;
        if (!samples.isEmpty()) {
            return Optional.empty();
        }
        String sentence = "load push: sink " + sinkName + " back after " + text(backAtNanos - downSinceNanos) + "; "
                + resent + (resent == 1 ? " sample" : " samples") + " resent, " + droppedInOutage + " dropped";
        down = false;
        return Optional.of(sentence);
    }

    /**
     * The head was not taken: it stays, and is retried after the backoff; returns the "down" sentence when this
     * starts an outage.
     *
     * @param why what went wrong ({@link SinkFailure#sentence})
     * @param u   a draw in [0, 1) for the backoff's jitter
     */
    Optional<String> failed(long now, FailureReason reason, String why, double u) {
        failuresInARow++;
        retryAtNanos = now + backoff.nanos(failuresInARow, u);
        back = false;
        if (down) {
            return Optional.empty();
        }
        down = true;
        downSinceNanos = now;
        resent = 0;
        droppedInOutage = 0;
        return Optional.of("load push: sink " + sinkName + " down (" + why + "); keeping samples, at most " + bound);
    }

    int size() {
        return samples.size();
    }

    private static String text(long nanos) {
        Duration d = Duration.ofNanos(Math.max(0, nanos));
        return Durations.format(d.compareTo(Duration.ofSeconds(1)) < 0
                ? Duration.ofMillis(d.toMillis()) : Duration.ofSeconds(Math.round(nanos / 1e9)));
    }
}
