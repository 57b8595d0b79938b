package io.haagent.failover.redis;

import java.time.Duration;

/**
 * One thing done to Redis during an action, and how long it took — the lines of the mail body.
 *
 * @param what the commands, as an operator would type them ({@code MULTI REPLICAOF NO ONE, ... EXEC})
 * @param took wall time from sending to the reply (monotonic clock)
 */
public record Step(String what, Duration took) {

    /** {@code REPLICAOF NO ONE in 3 ms}; below a millisecond {@code <1 ms}, since "0 ms" reads like a bug. */
    @Override
    public String toString() {
        return what + " in " + millis(took);
    }

    static String millis(Duration d) {
        long ms = d.toMillis();
        return ms == 0 ? "<1 ms" : ms + " ms";
    }
}
