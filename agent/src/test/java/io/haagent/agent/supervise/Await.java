package io.haagent.agent.supervise;

import io.haagent.testkit.Eventually;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded waits for real processes: fail with a message after a generous limit, never assert a duration. */
final class Await {
    static final Duration LIMIT = Duration.ofSeconds(20);

    private Await() {}

    static void until(String what, BooleanSupplier condition) {
        Eventually.within(LIMIT, what, condition::getAsBoolean);
    }

    static <T> T next(BlockingQueue<T> queue, String what) {
        try {
            T t = queue.poll(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            if (t == null) {
                throw new AssertionError("gave up after " + LIMIT + " waiting for " + what);
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what);
        }
    }
}
