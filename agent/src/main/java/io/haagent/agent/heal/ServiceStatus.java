package io.haagent.agent.heal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where one service stands: the healer's state and the facts it was decided from. Immutable; the
 * daemon reads it for {@code /status} and metrics.
 *
 * @param sinceNanos        when {@code state} was entered
 * @param checksDown        the service's checks that are DOWN, with their reasons, in the order they went down
 * @param exit              how the supervised child last exited while not being stopped on purpose; empty while it runs
 * @param failures          failures since the last success (a restart that stayed healthy through start_grace):
 *                          the backoff exponent
 * @param unhelpfulRestarts restarts since the last success or escalation: compared with {@code escalate.after}
 * @param restarts          when the restarts counted against {@code max_restarts} were ordered (within {@code within})
 * @param deadlineNanos     what it means depends on the state: BACKOFF the next attempt, STARTING the end of the grace,
 *                          FATAL the rearm time, RUNNING when the counters reset; {@link Decision#NEVER} otherwise
 * @param reason            the failure being healed, and while WAITING why its restart waits, as /status shows it
 *                          ("process 123 exited with code 1; not restarted while vrrp redis-vip is MASTER: failing
 *                          over first"); empty when there is none
 * @param eventId           the event id of the restart, give-up or escalation in progress; empty when none
 * @param failoverHold      why failover needs the service where it is ("vrrp redis-vip is MASTER"): no restart
 *                          but an operator's while present; see {@link Observation.FailoverHoldChanged}
 * @param waitingFor        while WAITING, why its restart waits, as it reads after "not restarted" (its
 *                          dependencies down, a failover hold, or both); empty in every other state
 * @param stoppedBy         why an operator stopped it ({@link Observation.OperatorStopped}): it stays STOPPED until an
 *                          operator starts it; empty otherwise
 */
public record ServiceStatus(ServiceState state, long sinceNanos, Map<String, String> checksDown, String exit,
                            int failures, int unhelpfulRestarts, List<Long> restarts, long deadlineNanos,
                            String reason, String eventId, Optional<Pause> pause, OptionalLong lastEscalationNanos,
                            Optional<String> failoverHold, String waitingFor, Optional<String> stoppedBy) {

    static final String NOT_RESTARTED = "; not restarted ";

    public ServiceStatus {
        checksDown = Collections.unmodifiableMap(new LinkedHashMap<>(checksDown));
        restarts = List.copyOf(restarts);
    }

    static ServiceStatus stopped(long nowNanos) {
        return new ServiceStatus(ServiceState.STOPPED, nowNanos, Map.of(), "", 0, 0, List.of(), Decision.NEVER, "", "",
                Optional.empty(), OptionalLong.empty(), Optional.empty(), "", Optional.empty());
    }

    /** The failure being healed, without why its restart waits; empty when there is none. */
    public String failure() {
        String suffix = waitingFor.isEmpty() ? "" : NOT_RESTARTED + waitingFor;
        return reason.endsWith(suffix) ? reason.substring(0, reason.length() - suffix.length()) : reason;
    }
}
