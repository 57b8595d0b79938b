package io.haagent.agent.heal;

import static io.haagent.agent.heal.Texts.duration;

import java.util.Optional;

/**
 * What the passing of time decides: a pause that ran out, a backoff that is over, a start grace that
 * ended, a FATAL service's rearm_after, a recovery that lasted, a HELD restart the budget now allows,
 * a WAITING service whose dependencies came back.
 */
final class Deadlines {
    private final DecisionDraft d;
    private final Cascade cascade;

    Deadlines(DecisionDraft draft, Cascade cascade) {
        this.d = draft;
        this.cascade = cascade;
    }

    /** Everything that is due by now, services in start order so a dependency settles before its dependents. */
    void settle() {
        if (d.nodePause.isPresent() && d.reached(d.nodePause.get().untilNanos())) {
            d.nodePause = Optional.empty();
            d.sayNode("maintenance pause ended (its time was up)");
            cascade.resumePaused();
        }
        for (String n : d.healer.startOrder()) {
            Track t = d.track(n);
            if (t.pause.isPresent() && d.reached(t.pause.get().untilNanos())) {
                t.pause = Optional.empty();
                if (d.nodePause.isEmpty() && t.state == ServiceState.PAUSED) {
                    d.say(n, "maintenance pause ended (its time was up)");
                    cascade.evaluate(n, false);
                }
            }
            switch (t.state) {
                case BACKOFF -> {
                    if (d.due(t)) {
                        cascade.attempt(n);
                    }
                }
                case STARTING -> {
                    if (d.due(t)) {
                        judgeAfterGrace(n);
                    }
                }
                case FATAL -> {
                    if (d.due(t)) {
                        rearm(n);
                    }
                }
                case RUNNING -> {
                    if (d.due(t)) { // healthy long enough after recovering by itself
                        t.failures = 0;
                        t.unhelpful = 0;
                        t.deadline = Decision.NEVER;
                    }
                }
                case WAITING -> {
                    if (d.waitClause(n).isEmpty()) { // a release of the failover hold is judged when it comes
                        cascade.waitOver(n, "its dependencies are up again");
                    }
                }
                case HELD -> cascade.attempt(n);
                default -> { }
            }
        }
    }

    private void judgeAfterGrace(String n) {
        Track t = d.track(n);
        long grace = d.healer.graceNanos(n);
        if (t.healthy()) {
            boolean reset = t.failures > 0 || t.unhelpful > 0;
            t.failures = 0;
            t.unhelpful = 0;
            String id = t.eventId;
            d.enter(t, ServiceState.RUNNING);
            t.reason = "";
            t.eventId = "";
            d.say(n, "running: healthy through the " + duration(grace) + " start grace"
                    + (reset ? "; failure counters reset" : "") + EventSuffix.ifAny(id));
            return;
        }
        String problem = t.exit.isEmpty()
                ? "check " + t.checksDown.keySet().iterator().next() + " was still DOWN at the end of the "
                        + duration(grace) + " start grace: " + t.checksDown.values().iterator().next()
                : t.exit;
        cascade.failure(n, problem);
    }

    private void rearm(String n) {
        Track t = d.track(n);
        t.clearCounters();
        d.say(n, "left FATAL after " + duration(cascade.rearmNanos(n)) + " without a new failure (rearm_after)");
        cascade.evaluate(n, false);
    }
}
