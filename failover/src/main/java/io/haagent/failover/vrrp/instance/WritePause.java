package io.haagent.failover.vrrp.instance;

/**
 * Holding writes on the local Redis while the lease's connection is SUSPENDED ({@code CLIENT PAUSE <ms> WRITE},
 * Redis 6.2+) and letting them go on RECONNECTED ({@code CLIENT UNPAUSE}). Blocking: {@link LeaseDriver} calls it on a
 * thread of its own, in order.
 */
public interface WritePause {

    /** Holds writes for at most {@code millis}; throws when the Redis cannot be told (the caller logs it). */
    void pause(long millis);

    /** Ends a pause. */
    void unpause();

    /** What it pauses, for log lines ({@code "Redis 127.0.0.1:6379"}). */
    String describe();
}
