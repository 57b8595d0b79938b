package io.haagent.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class EventuallyTest {

    @Test
    void within_conditionThatComesTrue_returns() {
        AtomicInteger polls = new AtomicInteger();
        Eventually.within(Duration.ofSeconds(5), "the third poll", () -> polls.incrementAndGet() >= 3);
        assertEquals(3, polls.get());
    }

    @Test
    void within_conditionAlreadyTrue_pollsOnceAndDoesNotSleep() {
        AtomicInteger polls = new AtomicInteger();
        long start = System.nanoTime();
        Eventually.within(Duration.ZERO, "true", () -> polls.incrementAndGet() > 0);
        assertEquals(1, polls.get());
        assertTrue(System.nanoTime() - start < Duration.ofMillis(5).toNanos());
    }

    @Test
    void within_neverTrue_failsWithWhatAndHowLong() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Eventually.within(Duration.ofMillis(100), "the moon to turn blue", () -> false));
        assertTrue(e.getMessage().endsWith("for: the moon to turn blue"), e.getMessage());
        assertTrue(e.getMessage().contains("(limit PT0.1S)"), e.getMessage());
        assertTrue(e.getMessage().startsWith("waited 1"), e.getMessage()); // 100 ms and a little
    }

    @Test
    void within_lazyDescription_isMadeAtTheDeadline() {
        AtomicInteger polls = new AtomicInteger();
        AssertionError e = assertThrows(AssertionError.class, () -> Eventually.within(Duration.ofMillis(30),
                () -> "a miracle after " + polls.get() + " polls", () -> polls.incrementAndGet() < 0));
        assertTrue(e.getMessage().endsWith("for: a miracle after " + polls.get() + " polls"), e.getMessage());
    }

    @Test
    void within_neverTrue_pollsAtTheDeadlineAndDoesNotOversleepIt() {
        AtomicInteger polls = new AtomicInteger();
        long start = System.nanoTime();
        assertThrows(AssertionError.class, () -> Eventually.within(Duration.ofMillis(200), "never", () -> {
            polls.incrementAndGet();
            return false;
        }));
        long waited = System.nanoTime() - start;
        assertTrue(waited >= Duration.ofMillis(200).toNanos(), "gave up early, after " + waited + " ns");
        // The last pause is cut to the deadline: no whole 50 ms interval past it (and room for a slow machine).
        assertTrue(waited < Duration.ofMillis(240).toNanos(), "overslept: " + waited + " ns");
        // 10, 20, 40, then 50 ms pauses: 7 polls in 200 ms, fewer only if the machine is slow.
        assertTrue(polls.get() >= 4 && polls.get() <= 8, polls.get() + " polls");
    }

    @Test
    void get_returnsTheFirstValueOffered() {
        AtomicInteger polls = new AtomicInteger();
        String v = Eventually.get(Duration.ofSeconds(5), "a value",
                () -> polls.incrementAndGet() == 2 ? Optional.of("second") : Optional.empty());
        assertEquals("second", v);
    }

    @Test
    void get_noValue_failsWithWhat() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Eventually.get(Duration.ofMillis(20), "a value", Optional::empty));
        assertTrue(e.getMessage().endsWith("for: a value"), e.getMessage());
    }

    @Test
    void within_conditionThrowingACheckedException_failsAtOnceWithIt() {
        AssertionError e = assertThrows(AssertionError.class, () -> Eventually.within(Duration.ofSeconds(5), "a file",
                () -> {
                    throw new java.io.IOException("no such file");
                }));
        assertEquals("java.io.IOException: no such file while waiting for: a file", e.getMessage());
    }

    @Test
    void within_interrupted_failsAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> Eventually.within(Duration.ofSeconds(5), "never", () -> false));
            assertEquals("interrupted while waiting for: never", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
