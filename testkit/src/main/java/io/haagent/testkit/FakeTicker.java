package io.haagent.testkit;

import java.time.Duration;

/**
 * A monotonic clock that moves only when a test says so. Pass {@code fake::nanoTime} wherever
 * production code takes a ticker: {@code ticker.advance(Duration.ofSeconds(30))}, then assert.
 */
public final class FakeTicker {
    private long nanos;

    public FakeTicker() {
        this(1_000_000_000L); // not zero: code must not treat 0 as "never"
    }

    public FakeTicker(long startNanos) {
        this.nanos = startNanos;
    }

    public synchronized long nanoTime() {
        return nanos;
    }

    public synchronized FakeTicker advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock does not go back: " + d);
        }
        nanos += d.toNanos();
        return this;
    }
}
