package io.haagent.agent.admin;

/**
 * A token bucket of {@code perSecond} requests with room for {@code burst} at once, kept as the
 * generic cell rate algorithm (one "theoretical arrival time" instead of a token count that needs
 * refilling). Pure: the caller passes the time; not thread-safe (the admin server's event loop owns it).
 */
final class RequestRate {
    private final long intervalNanos;
    private final long toleranceNanos;
    private long theoreticalArrival;
    private boolean started;

    RequestRate(int perSecond, int burst) {
        if (perSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("a request rate needs perSecond >= 1 and burst >= 1, not " + perSecond + "/" + burst);
        }
        this.intervalNanos = 1_000_000_000L / perSecond;
        this.toleranceNanos = intervalNanos * (burst - 1);
    }

    /** Zero when a request at {@code nowNanos} may pass (and it is counted); else how long until one may. */
    long take(long nowNanos) {
        long tat = started ? Math.max(theoreticalArrival, nowNanos) : nowNanos;
        long wait = tat - toleranceNanos - nowNanos;
        if (wait > 0) {
            return wait;
        }
        started = true;
        theoreticalArrival = tat + intervalNanos;
        return 0;
    }
}
