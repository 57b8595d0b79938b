package io.haagent.failover.vrrp;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one {@link VrrpMachine#decide} call. {@code nextWakeAtNanos} is
 * {@link Long#MAX_VALUE} when no timer runs; {@code sentence} is empty when nothing worth a log line
 * happened (steady state logs nothing).
 */
public record Decision(ElectionState state, List<Action> actions, long nextWakeAtNanos, Optional<String> sentence) {
    public Decision {
        actions = List.copyOf(actions);
    }
}
