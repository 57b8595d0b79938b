package io.haagent.testkit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Bounded waiting for what a real thread, server or kernel does in its own time: the one polling
 * loop of the tests. A test waits for a condition, never for a duration, and fails with what it
 * waited for and how long.
 *
 * <pre>{@code
 * Eventually.within(Duration.ofSeconds(10), "the replica linked", () -> replica.isLinked());
 * String master = Eventually.get(Duration.ofSeconds(5), "an elected master", () -> lab.master());
 * }</pre>
 *
 * <p>It polls every 10 ms at first, rising to 50 ms, so a quick condition is seen quickly and a
 * slow one is not hammered; the last poll is at the deadline, not a whole interval after it.
 */
public final class Eventually {
    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(10).toNanos();
    private static final long LONGEST_PAUSE_NANOS = Duration.ofMillis(50).toNanos();

    private Eventually() {}

    /** What a test waits for; it may throw what the code it asks throws (a checked exception ends the wait). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value a test waits for: empty until it comes. */
    @FunctionalInterface
    public interface Poll<T> {
        Optional<T> poll() throws Exception;
    }

    /**
     * Returns once {@code condition} holds; checks it at least once, and once more at the deadline.
     *
     * @throws AssertionError naming {@code what} and {@code timeout} when it does not hold in time,
     *         or when the waiting thread is interrupted
     */
    public static void within(Duration timeout, String what, Condition condition) {
        within(timeout, () -> what, condition);
    }

    /**
     * As {@link #within(Duration, String, Condition)}, with the description made at the
     * deadline, so that it can tell the state the condition last saw (a log tail, a status).
     */
    public static void within(Duration timeout, Supplier<String> what, Condition condition) {
        poll(timeout, what, () -> condition.holds() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /**
     * Returns the first value {@code value} offers; asks at least once, and once more at the deadline.
     *
     * @throws AssertionError naming {@code what} and {@code timeout} when none comes in time, or when
     *         the waiting thread is interrupted
     */
    public static <T> T get(Duration timeout, String what, Poll<T> value) {
        return poll(timeout, () -> what, value);
    }

    /** As {@link #get(Duration, String, Poll)}, with the description made at the deadline. */
    public static <T> T get(Duration timeout, Supplier<String> what, Poll<T> value) {
        return poll(timeout, what, value);
    }

    private static <T> T poll(Duration timeout, Supplier<String> what, Poll<T> value) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            Optional<T> v;
            try {
                v = value.poll();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError(e + " while waiting for: " + what.get(), e);
            }
            if (v.isPresent()) {
                return v.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("waited " + Duration.ofNanos(System.nanoTime() - start).toMillis()
                        + " ms (limit " + timeout + ") for: " + what.get());
            }
            try {
                Thread.sleep(Duration.ofNanos(Math.min(pause, left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what.get(), e);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }
}
