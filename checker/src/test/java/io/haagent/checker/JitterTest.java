package io.haagent.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class JitterTest {
    private final Jitter jitter = new Jitter(new SplittableRandom(42));

    @Test
    void firstDelays_ofAThousandChecks_coverTheWholeFirstInterval() {
        Duration interval = Duration.ofSeconds(5);
        Set<Long> buckets = new HashSet<>();
        Set<Long> millis = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            long d = jitter.firstDelayNanos(interval);
            assertTrue(d >= 0 && d < interval.toNanos(), "first delay " + d + " outside [0, 5s)");
            buckets.add(d / (interval.toNanos() / 100));
            millis.add(d / 1_000_000);
        }
        assertTrue(buckets.size() >= 95, "1,000 first runs fell into only " + buckets.size() + " of 100 slices");
        assertTrue(millis.size() >= 800, "1,000 first runs share too many milliseconds: " + millis.size() + " distinct");
    }

    @Test
    void laterDelays_stayWithinTenPercent() {
        Duration interval = Duration.ofSeconds(2);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++) {
            long d = jitter.nextDelayNanos(interval);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertTrue(min >= 1_800_000_000L && max <= 2_200_000_000L, min + ".." + max);
        assertTrue(min < 1_850_000_000L && max > 2_150_000_000L, "the jitter should use its range: " + min + ".." + max);
    }

    @Test
    void laterDelays_ofALongInterval_swingAtMostOneSecond() {
        Duration interval = Duration.ofMinutes(5);
        for (int i = 0; i < 10_000; i++) {
            long d = jitter.nextDelayNanos(interval);
            assertTrue(Math.abs(d - interval.toNanos()) <= Jitter.MAX_SWING.toNanos(), "delay " + d);
        }
    }

    @Test
    void zeroInterval_hasNoJitter() {
        assertEquals(0, jitter.firstDelayNanos(Duration.ZERO));
        assertEquals(0, jitter.nextDelayNanos(Duration.ZERO));
    }

    @Test
    void confirmingDelays_neverExceedTheInterval_andStaySpread() {
        Jitter j = new Jitter(new SplittableRandom(3));
        long interval = Duration.ofSeconds(1).toNanos();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 1000; i++) {
            long d = j.confirmingDelayNanos(Duration.ofSeconds(1));
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertTrue(max <= interval, "never later than written: " + max);
        assertTrue(min >= interval - interval / 10, "at most 10% early: " + min);
        assertTrue(max - min > interval / 20, "still spread: " + (max - min));
    }
}
