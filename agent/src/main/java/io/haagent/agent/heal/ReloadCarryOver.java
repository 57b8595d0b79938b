package io.haagent.agent.heal;

import io.haagent.config.ServiceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a reload decides, service by service: an unchanged spec keeps its state and its child, and a
 * FATAL one is rearmed (a reload is an operator's act); a changed or removed child is stopped; the
 * failover hold and an operator's stop are carried over whatever changed. Starting what is new or changed is left to
 * {@link Facts#startStopped}, as at the agent's start.
 */
final class ReloadCarryOver {
    private ReloadCarryOver() {}

    /** A draft under {@code next} with no service state yet: every service STOPPED, budget, pause and seed kept. */
    static DecisionDraft draft(Healer next, HealState prev, long now) {
        return new DecisionDraft(next, new HealState(Map.of(), prev.budget(), prev.nodePause(), prev.seed(),
                prev.checksUp(), prev.started()), now);
    }

    static void carry(Healer old, HealState prev, DecisionDraft d, Cascade cascade) {
        Healer next = d.healer;
        List<String> rearm = new ArrayList<>();
        for (var e : old.services().entrySet()) {
            String name = e.getKey();
            ServiceSpec spec = next.services().get(name);
            ServiceStatus was = prev.services().get(name);
            if (e.getValue().equals(spec) && was != null) { // unchanged: keeps its state and its child
                d.tracks.put(name, new Track(was));
                if (was.state() == ServiceState.FATAL) {
                    rearm.add(name);
                }
            } else if (e.getValue().means().orElse(null) instanceof ServiceSpec.Process p && was != null
                    && was.state() != ServiceState.STOPPED) {
                d.act(new Action.StopProcess(name, p));
                d.say(name, spec == null ? "stopping: removed from the config" : "stopping: its config changed");
            } else if (spec != null) {
                d.say(name, "its config changed");
            }
        }
        for (String name : next.startOrder()) {
            ServiceStatus was = prev.services().get(name);
            if (was != null) {
                // The hold is VRRP's fact, sent only on its edges: a changed spec must not forget it.
                d.track(name).failoverHold = was.failoverHold();
                // An operator's stop is theirs to end, as a pause is: a changed spec does not start the service.
                if (was.stoppedBy().isPresent() && d.track(name).stoppedBy.isEmpty()) {
                    d.track(name).stoppedBy = was.stoppedBy();
                    d.say(name, "stays stopped (an operator stopped it: " + was.stoppedBy().get() + ")");
                }
            }
            if (rearm.contains(name)) { // a reload is an operator's act
                d.track(name).clearCounters();
                d.say(name, "left FATAL because the config was reloaded");
                cascade.evaluate(name, false);
            }
        }
    }
}
