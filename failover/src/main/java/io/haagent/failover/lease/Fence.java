package io.haagent.failover.lease;

/** Whether an irreversible step ({@code REPLICAOF NO ONE}, an address move) may run now: {@link LeaseMachine#fence}. */
public sealed interface Fence {

    /** The lease is ours until the deadline: go, and tag the step with {@code epoch}. */
    record Granted(long epoch) implements Fence {}

    /** Not now ({@code why}, a clause for the step's log line). */
    record Refused(String why) implements Fence {}
}
