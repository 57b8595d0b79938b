package io.haagent.agent.heal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** A {@link ServiceStatus} being edited inside one decision; never escapes it. */
final class Track {
    ServiceState state;
    long since;
    final LinkedHashMap<String, String> checksDown;
    String exit;
    int failures;
    int unhelpful;
    final ArrayList<Long> restarts;
    long deadline;
    String reason;
    String eventId;
    Optional<Pause> pause;
    OptionalLong lastEscalation;
    Optional<String> failoverHold;
    /** While WAITING, why its restart waits; {@code reason} stays the bare failure, for the sentences. */
    String waitingFor;
    /** See {@link ServiceStatus#stoppedBy()}. */
    Optional<String> stoppedBy;

    Track(ServiceStatus s) {
        state = s.state();
        since = s.sinceNanos();
        checksDown = new LinkedHashMap<>(s.checksDown());
        exit = s.exit();
        failures = s.failures();
        unhelpful = s.unhelpfulRestarts();
        restarts = new ArrayList<>(s.restarts());
        deadline = s.deadlineNanos();
        reason = s.failure();
        eventId = s.eventId();
        pause = s.pause();
        lastEscalation = s.lastEscalationNanos();
        failoverHold = s.failoverHold();
        waitingFor = s.waitingFor();
        stoppedBy = s.stoppedBy();
    }

    ServiceStatus freeze() {
        String shown = waitingFor.isEmpty() ? reason : reason + ServiceStatus.NOT_RESTARTED + waitingFor;
        return new ServiceStatus(state, since, checksDown, exit, failures, unhelpful, restarts, deadline, shown,
                eventId, pause, lastEscalation, failoverHold, waitingFor, stoppedBy);
    }

    boolean healthy() {
        return checksDown.isEmpty() && exit.isEmpty();
    }

    /** What is wrong right now, for a sentence: the exit, else the first check that is down. */
    String problem() {
        if (!exit.isEmpty()) {
            return exit;
        }
        Map.Entry<String, String> e = checksDown.entrySet().iterator().next();
        return "check " + e.getKey() + " is DOWN: " + e.getValue();
    }

    void clearCounters() {
        failures = 0;
        unhelpful = 0;
        restarts.clear();
    }
}
