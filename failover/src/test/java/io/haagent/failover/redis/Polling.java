package io.haagent.failover.redis;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded polling for what a real server does in its own time; the only waiting these tests do. */
final class Polling {
    private Polling() {}

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + what, e);
            }
        }
    }
}
