package io.haagent.agent.heal;

import static io.haagent.agent.heal.Texts.duration;

import io.haagent.agent.heal.HealEvent.Kind;
import java.util.List;
import java.util.Map;

/**
 * The edges of what holds restarts, said once each when the rest of a decision is done: what a
 * WAITING service waits for now, and the host budget's episode (held, then free again).
 */
final class HoldEdges {
    private final DecisionDraft d;

    HoldEdges(DecisionDraft draft) {
        this.d = draft;
    }

    void say() {
        waiting();
        budget();
    }

    /**
     * A WAITING service whose reason to wait changed (a dependency went down or up, failover took or
     * released it) says what holds it now, once; {@code waitingFor} follows for /status.
     */
    private void waiting() {
        for (String n : d.healer.startOrder()) {
            Track t = d.track(n);
            if (t.state != ServiceState.WAITING) {
                continue;
            }
            String wait = d.waitClause(n);
            if (!wait.isEmpty() && !wait.equals(t.waitingFor)) {
                d.say(n, "still not restarted " + wait);
                t.waitingFor = wait;
            }
        }
    }

    /**
     * The host budget's edges: ONE event when a restart is first held, one when the episode is over —
     * the window has room again and nothing is held — so a stampede is one mail, not one per service.
     */
    private void budget() {
        long now = d.now;
        List<String> held = d.tracks.entrySet().stream()
                .filter(e -> e.getValue().state == ServiceState.HELD).map(Map.Entry::getKey).toList();
        if (!held.isEmpty() && !d.budget.holding()) {
            d.budget = d.budget.withHolding(true);
            String id = d.newId();
            String text = "suspecting the host: " + Texts.restarts(d.budget.spent(now)) + " within "
                    + duration(d.budget.windowNanos()) + " spent the host restart budget (node.restart_budget); holding"
                    + " restarts of " + Texts.names(held) + " until the window clears in "
                    + duration(d.budget.availableAtNanos(now) - now) + EventSuffix.of(id);
            d.emit(Kind.HOST_HELD, id, null, text);
            d.sayNode(text, Sentence.Severity.WARN); // a give-up for a while: mailed as give_up too
        } else if (held.isEmpty() && d.budget.holding() && d.budget.available(now)) {
            d.budget = d.budget.withHolding(false);
            String id = d.newId();
            String text = "the host restart budget has room again; no restart is held" + EventSuffix.of(id);
            d.emit(Kind.HOST_RELEASED, id, null, text);
            d.sayNode(text);
        }
    }
}
