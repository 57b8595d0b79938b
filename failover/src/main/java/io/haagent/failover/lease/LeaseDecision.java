package io.haagent.failover.lease;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one {@link LeaseMachine#decide} call. {@code nextWakeAtNanos} is {@link Long#MAX_VALUE} when no timer
 * runs; {@code sentence} is empty when nothing worth a log line happened.
 */
public record LeaseDecision(LeaseState state, List<LeaseAction> actions, long nextWakeAtNanos,
                            Optional<String> sentence) {
    public LeaseDecision {
        actions = List.copyOf(actions);
    }
}
