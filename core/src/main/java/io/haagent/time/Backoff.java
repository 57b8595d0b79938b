package io.haagent.time;

import java.time.Duration;

/**
 * Exponential backoff, the one rule every retry in haagent waits by: {@code first} before the first
 * retry, doubled for each one after it, never above {@code max}, and stretched by up to
 * {@code jitter} (0.25: up to 25 % longer, still never above {@code max}) so that hosts which failed
 * together do not retry together.
 *
 * <p>Pure: the random draw {@code u} comes from the caller, so a decision core passes one from its
 * seeded stream and stays deterministic, and a caller without jitter passes 0.
 *
 * @param jitter 0 for none; the share of the wait added at most
 */
public record Backoff(Duration first, Duration max, double jitter) {

    public Backoff {
        if (first.isNegative() || max.isNegative() || jitter < 0) {
            throw new IllegalArgumentException("backoff " + first + ".." + max + " jitter " + jitter);
        }
    }

    /** Without jitter. */
    public Backoff(Duration first, Duration max) {
        this(first, max, 0);
    }

    /**
     * The wait before retry {@code attempt} (1 for the first), in nanoseconds; 0 when {@code first} is
     * zero (retry at once).
     *
     * @param u a draw in [0, 1); ignored without jitter
     */
    public long nanos(int attempt, double u) {
        long initial = first.toNanos();
        long cap = max.toNanos();
        if (initial <= 0) {
            return 0;
        }
        int shift = Math.min(Math.max(attempt, 1) - 1, 62);
        long base = Math.min(initial > (cap >> shift) ? cap : initial << shift, cap);
        if (jitter == 0) {
            return base;
        }
        return (long) Math.min((double) cap, base * (1 + jitter * u));
    }

    /** {@link #nanos} without jitter, as a duration. */
    public Duration wait(int attempt) {
        return Duration.ofNanos(nanos(attempt, 0));
    }

    /** A draw in [0, 1) from 64 random bits (53 of them), for a caller with its own seeded stream. */
    public static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }
}
