package io.haagent.checker;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Spreads runs so that 1,000 checks with the same interval do not all fire in the same
 * millisecond: the first run anywhere in the first interval, each later one at the interval
 * ±10%, the swing capped at {@link #MAX_SWING} so a long interval stays close to what was written.
 */
final class Jitter {
    static final double SPREAD = 0.10;
    static final Duration MAX_SWING = Duration.ofSeconds(1);

    private final RandomGenerator random;

    Jitter(RandomGenerator random) {
        this.random = random;
    }

    /** Uniform in {@code [0, interval)}. */
    long firstDelayNanos(Duration interval) {
        long nanos = interval.toNanos();
        return nanos <= 0 ? 0 : random.nextLong(nanos);
    }

    /** Uniform in {@code interval ± min(10% of interval, 1s)}. */
    long nextDelayNanos(Duration interval) {
        long nanos = interval.toNanos();
        long swing = Math.min((long) (nanos * SPREAD), MAX_SWING.toNanos());
        return swing <= 0 ? nanos : nanos + random.nextLong(-swing, swing + 1);
    }

    /**
     * Uniform in {@code [interval - swing, interval]}: for a run that may start or continue a flip (any run of
     * an UP check: see {@link RiseFall#nextRunOnTime()}), which should not wait longer than written, so
     * {@code fall} failures take at most {@code fall} intervals, as with keepalived's fixed-interval scripts;
     * still spread below the interval.
     */
    long confirmingDelayNanos(Duration interval) {
        long nanos = interval.toNanos();
        long swing = Math.min((long) (nanos * SPREAD), MAX_SWING.toNanos());
        return swing <= 0 ? nanos : nanos - random.nextLong(0, swing + 1);
    }
}
