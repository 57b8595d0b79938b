package io.haagent.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void doublesFromFirstAndStopsAtMax() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));
        assertEquals(SECOND, b.nanos(1, 0.9));
        assertEquals(2 * SECOND, b.nanos(2, 0.9));
        assertEquals(8 * SECOND, b.nanos(4, 0));
        assertEquals(10 * SECOND, b.nanos(5, 0));
        assertEquals(Duration.ofSeconds(10), b.wait(1_000)); // no overflow however many attempts
    }

    @Test
    void jitterStretchesUpToItsShareButNeverPastMax() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.5);
        assertEquals(SECOND, b.nanos(1, 0));
        assertEquals(1_500_000_000L, b.nanos(1, 1.0));
        assertEquals(2_500_000_000L, b.nanos(2, 0.5));
        assertEquals(10 * SECOND, b.nanos(4, 0.99)); // 8 s x 1.495 is past max
    }

    @Test
    void aZeroFirstWaitRetriesAtOnce() {
        assertEquals(0, new Backoff(Duration.ZERO, Duration.ofSeconds(10), 0.5).nanos(3, 0.7));
    }

    @Test
    void unitDrawsStayBelowOne() {
        assertEquals(0.0, Backoff.unit(0));
        assertTrue(Backoff.unit(-1L) < 1.0);
        assertTrue(Backoff.unit(Long.MIN_VALUE) >= 0.5);
    }

    @Test
    void refusesNegativeSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(-1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ZERO, -0.1));
    }
}
