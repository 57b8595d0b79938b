package io.haagent.agent.systemd;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether the loops that matter still run (STYLE §3: pure; the caller passes the beats and {@code nowNanos}). Each
 * loop beats at least every {@link Loop#every}; one silent for {@link #MARGIN} times that is stuck. The margin is
 * wide because a stuck loop costs a restart: a GC pause or a busy host must not look like one.
 */
public final class Liveness {
    /** How many of its own periods a loop may miss before it counts as stuck. */
    static final int MARGIN = 10;

    private Liveness() {}

    /**
     * One loop: {@code name} as a sentence names it ("the heal loop"), the ticker's reading at its last beat, and
     * how often it beats.
     */
    public record Loop(String name, long lastBeatNanos, Duration every) {}

    /** The loop that has been silent longest past its margin, if any: what the watchdog names when it stops. */
    public static Optional<Stuck> stuck(List<Loop> loops, long nowNanos) {
        Stuck worst = null;
        for (Loop l : loops) {
            long silent = nowNanos - l.lastBeatNanos();
            long overdue = silent - l.every().toNanos() * MARGIN;
            if (overdue > 0 && (worst == null || overdue > worst.overdueNanos())) {
                worst = new Stuck(l, silent, overdue);
            }
        }
        return Optional.ofNullable(worst);
    }

    /** A loop silent for {@code silentNanos}, {@code overdueNanos} past its margin. */
    public record Stuck(Loop loop, long silentNanos, long overdueNanos) {
        /** {@code the heal loop has not run for 41 s (expected every 1 s)}. */
        public String sentence() {
            return loop.name() + " has not run for " + seconds(silentNanos) + " (expected every "
                    + seconds(loop.every().toNanos()) + ")";
        }
    }

    private static String seconds(long nanos) {
        return nanos >= 1_000_000_000L || nanos % 1_000_000_000L == 0 ? nanos / 1_000_000_000L + " s"
                : nanos / 1_000_000L + " ms";
    }
}
