package io.haagent.failover.step;

import java.time.Duration;

/**
 * One thing an action did or saw — a Redis command, an EC2 call, an {@code ip addr add} — and how long
 * it took, timed on the monotonic clock: the steps of a promotion, a replication or an address move.
 *
 * @param what what was done, as an operator would type or read it ({@code MULTI, REPLICAOF NO ONE, ...,
 *             EXEC}, {@code DetachNetworkInterface from i-0a})
 * @param took from sending to the reply
 */
public record TimedStep(String what, Duration took) {

    /** {@code REPLICAOF NO ONE in 3 ms}. */
    @Override
    public String toString() {
        return what + " in " + millis(took);
    }

    /** {@code 3 ms}; below a millisecond {@code <1 ms}, since "0 ms" reads like a bug. */
    public static String millis(Duration d) {
        long ms = d.toMillis();
        return ms == 0 ? "<1 ms" : ms + " ms";
    }
}
