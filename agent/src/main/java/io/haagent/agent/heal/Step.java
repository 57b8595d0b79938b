package io.haagent.agent.heal;

import static io.haagent.agent.heal.Texts.duration;

import io.haagent.agent.heal.HealEvent.Kind;
import io.haagent.event.EventIds;
import io.haagent.agent.heal.Observation.AgentStarted;
import io.haagent.agent.heal.Observation.CheckWentDown;
import io.haagent.agent.heal.Observation.CheckWentUp;
import io.haagent.agent.heal.Observation.FailoverHoldChanged;
import io.haagent.agent.heal.Observation.OperatorPaused;
import io.haagent.agent.heal.Observation.OperatorResumed;
import io.haagent.agent.heal.Observation.ProcessExited;
import io.haagent.agent.heal.Observation.RestartFinished;
import io.haagent.agent.heal.Observation.RestartRequested;
import io.haagent.agent.heal.Observation.TimePassed;
import io.haagent.agent.heal.Observation.VmRestartFinished;
import io.haagent.config.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One decision in the making: a working copy of the state, the actions and the sentences. Created,
 * run once and dropped by {@link Healer}; nothing here reads a clock or touches the outside world.
 */
final class Step {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private final Healer h;
    private final long now;
    private final Map<String, Track> tracks = new LinkedHashMap<>();
    private HostBudget budget;
    private Optional<Pause> nodePause;
    private long seed;
    private final List<Action> actions = new ArrayList<>();
    /** "service web" or "node" -> what was said about it, joined with "; " so each gets one sentence. */
    private final Map<String, StringBuilder> lines = new LinkedHashMap<>();

    Step(Healer h, HealState prev, long now) {
        this.h = h;
        this.now = now;
        for (String name : h.startOrder()) {
            ServiceStatus s = prev.services().get(name);
            tracks.put(name, new Track(s != null ? s : ServiceStatus.stopped(now)));
        }
        this.budget = prev.budget().reconfigured(h.budget());
        this.nodePause = prev.nodePause();
        this.seed = prev.seed();
    }

    Decision run(Observation obs) {
        settle(); // deadlines that passed before this observation came in
        apply(obs);
        settle();
        waitEdges();
        budgetEdges();
        return result();
    }

    static Decision reload(Healer old, Healer next, HealState prev, long now) {
        Step s = new Step(next, new HealState(Map.of(), prev.budget(), prev.nodePause(), prev.seed()), now);
        List<String> rearm = new ArrayList<>();
        for (var e : old.services().entrySet()) {
            String name = e.getKey();
            ServiceSpec spec = next.services().get(name);
            ServiceStatus was = prev.services().get(name);
            if (e.getValue().equals(spec) && was != null) { // unchanged: keeps its state and its child
                s.tracks.put(name, new Track(was));
                if (was.state() == ServiceState.FATAL) {
                    rearm.add(name);
                }
            } else if (e.getValue().means().orElse(null) instanceof ServiceSpec.Process p && was != null
                    && was.state() != ServiceState.STOPPED) {
                s.actions.add(new Action.StopProcess(name, p));
                s.say(name, spec == null ? "stopping: removed from the config" : "stopping: its config changed");
            } else if (spec != null) {
                s.say(name, "its config changed");
            }
        }
        for (String name : next.startOrder()) {
            ServiceStatus was = prev.services().get(name);
            if (was != null) {
                // The hold is VRRP's fact, sent only on its edges: a changed spec must not forget it.
                s.tracks.get(name).failoverHold = was.failoverHold();
            }
            if (rearm.contains(name)) { // a reload is an operator's act
                s.tracks.get(name).clearCounters();
                s.say(name, "left FATAL because the config was reloaded");
                s.evaluate(name, false);
            }
        }
        s.boot();
        s.settle();
        s.waitEdges();
        s.budgetEdges();
        return s.result();
    }

    // ---- observations -------------------------------------------------------------------------

    private void apply(Observation obs) {
        switch (obs) {
            case AgentStarted a -> boot();
            case CheckWentDown d -> h.servicesOf(d.check()).forEach(n -> checkDown(n, d.check(), d.reason()));
            case CheckWentUp u -> h.servicesOf(u.check()).forEach(n -> checkUp(n, u.check()));
            case ProcessExited e -> {
                if (tracks.containsKey(e.service())) {
                    exited(e.service(), e);
                }
            }
            case RestartFinished f -> {
                if (tracks.containsKey(f.service())) {
                    restartFinished(f.service(), f);
                }
            }
            case VmRestartFinished f -> {
                if (tracks.containsKey(f.service())) {
                    vmRestartFinished(f.service(), f);
                }
            }
            case FailoverHoldChanged f -> {
                if (tracks.containsKey(f.service())) {
                    failoverHold(f.service(), f.heldBy());
                }
            }
            case OperatorPaused p -> pause(p);
            case OperatorResumed r -> resume(r);
            case RestartRequested r -> {
                if (known(r.service())) {
                    operatorRestart(r.service(), r.reason());
                }
            }
            case TimePassed t -> { }
        }
    }

    private boolean known(String service) {
        if (tracks.containsKey(service)) {
            return true;
        }
        sayNode("ignored an operator request for '" + service + "': no such service; services: "
                + Texts.names(List.copyOf(tracks.keySet())));
        return false;
    }

    /** Starts what is STOPPED, in start order: children are spawned, other means are only watched. */
    private void boot() {
        for (String n : h.startOrder()) {
            Track t = tracks.get(n);
            if (t.state != ServiceState.STOPPED) {
                continue;
            }
            if (h.spec(n).means().orElse(null) instanceof ServiceSpec.Process p) {
                actions.add(new Action.StartProcess(n, p, Optional.empty()));
                enter(t, ServiceState.RESTARTING);
                say(n, "starting " + String.join(" ", p.command()));
            } else {
                // Nothing to start: systemd or an operator runs it. Its checks get the grace a start gets.
                enter(t, ServiceState.STARTING);
                t.deadline = now + h.graceNanos(n);
            }
        }
    }

    private void checkDown(String n, String check, String reason) {
        Track t = tracks.get(n);
        t.checksDown.put(check, reason);
        String what = "check " + check + " went DOWN: " + reason;
        switch (t.state) {
            case RUNNING, FATAL -> failure(n, what);
            case STARTING -> say(n, what + "; ignored inside the start grace (" + duration(t.deadline - now) + " left)");
            case PAUSED -> say(n, what + "; not restarted: " + pausedBecause(n));
            default -> { } // already being healed, or not started: the fact is recorded
        }
    }

    private void checkUp(String n, String check) {
        Track t = tracks.get(n);
        if (t.checksDown.remove(check) == null || !t.healthy()) {
            return;
        }
        switch (t.state) {
            case BACKOFF, HELD, WAITING -> recovered(n, "check " + check + " went UP; restart cancelled"
                    + (t.eventId.isEmpty() ? "" : " [event " + t.eventId + "]"));
            case DOWN -> recovered(n, "check " + check + " went UP");
            default -> { }
        }
    }

    private void exited(String n, ProcessExited e) {
        Track t = tracks.get(n);
        // Exits the agent caused are expected; during RESTARTING an exit is the old child of the
        // restart in flight (the supervisor reports a new child's start before its exit).
        if (!(h.spec(n).means().orElse(null) instanceof ServiceSpec.Process) || e.stopRequested()
                || t.state == ServiceState.RESTARTING || t.state == ServiceState.STOPPED) {
            return;
        }
        t.exit = e.describe();
        switch (t.state) {
            case RUNNING, STARTING, FATAL -> failure(n, t.exit);
            case PAUSED -> say(n, t.exit + "; not restarted: " + pausedBecause(n));
            default -> { } // BACKOFF, HELD, WAITING: the pending restart starts a new child
        }
    }

    private void restartFinished(String n, RestartFinished f) {
        Track t = tracks.get(n);
        if (t.state != ServiceState.RESTARTING) {
            return; // stale: an operator or a reload moved on
        }
        boolean first = t.eventId.isEmpty();
        if (!f.ok()) {
            if (h.spec(n).means().orElse(null) instanceof ServiceSpec.Process) {
                t.exit = "the start failed: " + f.detail();
                failure(n, t.exit);
            } else {
                failure(n, "the restart failed: " + f.detail());
            }
            return;
        }
        t.exit = "";
        if (paused(n)) {
            enter(t, ServiceState.PAUSED);
            say(n, (first ? "started" : "restarted") + " (" + f.detail() + "); not healed while " + pausedBecause(n));
            return;
        }
        enter(t, ServiceState.STARTING);
        long grace = h.graceNanos(n);
        t.deadline = now + grace;
        say(n, (first ? "started" : "restarted") + " (" + f.detail() + "); its checks count after the "
                + duration(grace) + " start grace" + (first ? "" : " [event " + t.eventId + "]"));
    }

    private void vmRestartFinished(String n, VmRestartFinished f) {
        Track t = tracks.get(n);
        if (t.state != ServiceState.ESCALATING) {
            say(n, "VM restart " + (f.ok() ? "finished" : "failed") + ": " + f.detail());
            return;
        }
        if (!f.ok()) {
            failure(n, "the VM restart failed: " + f.detail());
            return;
        }
        if (paused(n)) {
            enter(t, ServiceState.PAUSED);
            say(n, "VM restart finished (" + f.detail() + "); not healed while " + pausedBecause(n));
            return;
        }
        enter(t, ServiceState.STARTING);
        long grace = h.graceNanos(n);
        t.deadline = now + grace;
        say(n, "VM restart finished (" + f.detail() + "); its checks count after the " + duration(grace)
                + " start grace [event " + t.eventId + "]");
    }

    /**
     * Failover holds the service where it is, or lets it go. Holding is quiet: nothing is restarted
     * yet, and a failure while held says why it waits. A release lets a WAITING service be judged as
     * it is now — unless its dependencies still hold it — and a pending backoff runs its course.
     */
    private void failoverHold(String n, Optional<String> heldBy) {
        Track t = tracks.get(n);
        Optional<String> was = t.failoverHold;
        t.failoverHold = heldBy;
        if (heldBy.isPresent() || was.isEmpty() || t.state != ServiceState.WAITING) {
            return; // a new hold on a WAITING service is said by waitEdges, with what else holds it
        }
        String what = "failover hold released (was: " + was.get() + ")";
        if (waitClause(n).isEmpty()) {
            waitOver(n, what);
        } else {
            say(n, what); // waitEdges adds what still holds it
        }
    }

    private void pause(OperatorPaused p) {
        OptionalLong until = p.duration().map(d -> OptionalLong.of(now + d.toNanos())).orElse(OptionalLong.empty());
        Pause pause = new Pause(p.reason(), now, until);
        String howLong = until.isPresent() ? "for " + duration(until.getAsLong() - now) : "until an operator resumes it";
        if (p.service().isPresent()) {
            String n = p.service().get();
            if (!known(n)) {
                return;
            }
            Track t = tracks.get(n);
            t.pause = Optional.of(pause);
            // FATAL stays FATAL: only a resume (or restart, reload, rearm) clears it, not the pause's end.
            if (t.state != ServiceState.RESTARTING && t.state != ServiceState.ESCALATING
                    && t.state != ServiceState.STOPPED && t.state != ServiceState.FATAL) {
                enter(t, ServiceState.PAUSED);
            }
            say(n, "paused " + howLong + " because " + p.reason() + "; its checks keep running, nothing restarts it");
        } else {
            nodePause = Optional.of(pause);
            for (Track t : tracks.values()) {
                if (t.state != ServiceState.RESTARTING && t.state != ServiceState.ESCALATING
                        && t.state != ServiceState.STOPPED && t.state != ServiceState.FATAL) {
                    enter(t, ServiceState.PAUSED);
                }
            }
            sayNode("paused " + howLong + " because " + p.reason() + "; checks keep running, no service is restarted");
        }
    }

    private void resume(OperatorResumed r) {
        if (r.service().isEmpty()) {
            if (nodePause.isEmpty()) {
                sayNode("resume ignored: the node is not paused");
                return;
            }
            nodePause = Optional.empty();
            sayNode("resumed because " + r.reason());
            resumePaused();
            return;
        }
        String n = r.service().get();
        if (!known(n)) {
            return;
        }
        Track t = tracks.get(n);
        boolean fatal = t.state == ServiceState.FATAL;
        if (t.pause.isEmpty() && !fatal) {
            say(n, "resume ignored: the service is neither paused nor FATAL"
                    + (nodePause.isPresent() ? "; the node is paused: resume the node" : ""));
            return;
        }
        t.pause = Optional.empty();
        t.clearCounters(); // an operator's act: a fresh start
        String what = (fatal ? "left FATAL" : "resumed") + " because an operator resumed it: " + r.reason();
        if (t.state == ServiceState.RESTARTING || t.state == ServiceState.ESCALATING) {
            say(n, what); // judged when that finishes
        } else if (nodePause.isPresent()) {
            enter(t, ServiceState.PAUSED);
            say(n, what + "; still not healed while " + pausedBecause(n));
        } else {
            say(n, what);
            evaluate(n, false);
        }
    }

    private void operatorRestart(String n, String reason) {
        Track t = tracks.get(n);
        Optional<ServiceSpec.RestartMeans> means = h.spec(n).means();
        if (means.isEmpty()) {
            say(n, "an operator asked for a restart (" + reason + ") but the service has no process, systemd unit"
                    + " or restart_command");
            return;
        }
        if (t.state == ServiceState.RESTARTING || t.state == ServiceState.ESCALATING) {
            say(n, "an operator asked for a restart (" + reason + "); ignored: one is already running");
            return;
        }
        boolean fatal = t.state == ServiceState.FATAL;
        t.clearCounters();
        String id = newId();
        t.eventId = id;
        t.reason = "an operator asked: " + reason;
        restartAction(n, t, means.get(), id);
        enter(t, ServiceState.RESTARTING);
        // The operator wins (an explicit act), but is told what failover needed: this node is MASTER.
        String text = t.failoverHold.map(hb -> "restarting although " + hb + ", as an operator asked: ")
                .orElse("restarting now because an operator asked: ") + reason + (fatal ? "; left FATAL" : "")
                + " [event " + id + "]";
        emit(Kind.RESTART, id, n, text);
        say(n, text);
    }

    // ---- time ---------------------------------------------------------------------------------

    /** Everything that is due by now, services in start order so a dependency settles before its dependents. */
    private void settle() {
        if (nodePause.isPresent() && reached(nodePause.get().untilNanos())) {
            nodePause = Optional.empty();
            sayNode("maintenance pause ended (its time was up)");
            resumePaused();
        }
        for (String n : h.startOrder()) {
            Track t = tracks.get(n);
            if (t.pause.isPresent() && reached(t.pause.get().untilNanos())) {
                t.pause = Optional.empty();
                if (nodePause.isEmpty() && t.state == ServiceState.PAUSED) {
                    say(n, "maintenance pause ended (its time was up)");
                    evaluate(n, false);
                }
            }
            switch (t.state) {
                case BACKOFF -> {
                    if (due(t)) {
                        attempt(n);
                    }
                }
                case STARTING -> {
                    if (due(t)) {
                        judgeAfterGrace(n);
                    }
                }
                case FATAL -> {
                    if (due(t)) {
                        rearm(n);
                    }
                }
                case RUNNING -> {
                    if (due(t)) { // healthy long enough after recovering by itself
                        t.failures = 0;
                        t.unhelpful = 0;
                        t.deadline = Decision.NEVER;
                    }
                }
                case WAITING -> {
                    if (waitClause(n).isEmpty()) { // a release of the failover hold is judged when it comes
                        waitOver(n, "its dependencies are up again");
                    }
                }
                case HELD -> attempt(n);
                default -> { }
            }
        }
    }

    private void judgeAfterGrace(String n) {
        Track t = tracks.get(n);
        long grace = h.graceNanos(n);
        if (t.healthy()) {
            boolean reset = t.failures > 0 || t.unhelpful > 0;
            t.failures = 0;
            t.unhelpful = 0;
            String id = t.eventId;
            enter(t, ServiceState.RUNNING);
            t.reason = "";
            t.eventId = "";
            say(n, "running: healthy through the " + duration(grace) + " start grace"
                    + (reset ? "; failure counters reset" : "") + (id.isEmpty() ? "" : " [event " + id + "]"));
            return;
        }
        String problem = t.exit.isEmpty()
                ? "check " + t.checksDown.keySet().iterator().next() + " was still DOWN at the end of the "
                        + duration(grace) + " start grace: " + t.checksDown.values().iterator().next()
                : t.exit;
        failure(n, problem);
    }

    private void rearm(String n) {
        Track t = tracks.get(n);
        t.clearCounters();
        say(n, "left FATAL after " + duration(rearmNanos(n)) + " without a new failure (rearm_after)");
        evaluate(n, false);
    }

    /**
     * Nothing holds a WAITING service's restart any more ({@code what} says what ended it): judged as it is
     * now, by the normal cascade, so backoff, max_restarts and the host budget still bound a restart loop
     * even when the hold flaps.
     */
    private void waitOver(String n, String what) {
        Track t = tracks.get(n);
        if (t.healthy()) {
            recovered(n, what + " and the service is healthy; no restart needed");
        } else if (!t.exit.isEmpty()) {
            say(n, what);
            failure(n, t.exit);
        } else {
            // Its checks may have failed only because of the dependency, or of the role it had while MASTER
            // (a failover demotes it): let them catch up first.
            enter(t, ServiceState.STARTING);
            long grace = h.graceNanos(n);
            t.deadline = now + grace;
            say(n, what + "; its own checks count after a " + duration(grace) + " grace");
        }
    }

    // ---- the cascade --------------------------------------------------------------------------

    /** Something says the service needs a restart: walk the guards. */
    private void failure(String n, String reason) {
        Track t = tracks.get(n);
        ServiceSpec spec = h.spec(n);
        ServiceSpec.RestartPolicy policy = spec.restart();
        t.reason = reason;
        if (t.state == ServiceState.FATAL) {
            if (policy.rearmAfter().isPresent()) {
                t.deadline = now + rearmNanos(n); // not quiet: the rearm clock starts over
            }
            return;
        }
        if (paused(n)) {
            enter(t, ServiceState.PAUSED);
            say(n, reason + "; not restarted: " + pausedBecause(n));
            return;
        }
        // Before the means: a held service is neither restarted, escalated to a VM restart nor given up on.
        String wait = waitClause(n);
        if (!wait.isEmpty()) {
            if (t.state != ServiceState.WAITING) {
                enter(t, ServiceState.WAITING);
                say(n, reason + ServiceStatus.NOT_RESTARTED + wait);
            }
            t.waitingFor = wait;
            return;
        }
        if (spec.means().isEmpty()) {
            // Watched from outside (a Dom0 watching a DomU): the VM restart is the only remedy there is.
            if (spec.escalate().isPresent() && mayEscalate(n)) {
                escalate(n);
            } else if (t.state != ServiceState.DOWN) {
                enter(t, ServiceState.DOWN);
                say(n, reason + "; nothing restarts it: the service has no process, systemd unit or restart_command"
                        + (spec.escalate().isPresent() ? ", and its VM was restarted less than "
                        + duration(policy.within()) + " ago" : ""));
            }
            return;
        }
        prune(t, policy);
        t.failures++;
        if (t.restarts.size() >= policy.maxRestarts()) {
            giveUp(n);
            return;
        }
        if (spec.escalate().isPresent() && t.unhelpful >= spec.escalate().get().after() && mayEscalate(n)) {
            escalate(n);
            return;
        }
        long delay = backoffNanos(policy.backoff(), t.failures);
        t.eventId = newId();
        if (delay <= 0) {
            attempt(n);
            return;
        }
        enter(t, ServiceState.BACKOFF);
        t.deadline = now + delay;
        say(n, "restarting in " + duration(delay) + " (attempt " + (t.restarts.size() + 1) + " of "
                + policy.maxRestarts() + ") because " + reason + " [event " + t.eventId + "]");
    }

    /** The backoff is over (or the budget or a dependency freed up): restart now if nothing holds it. */
    private void attempt(String n) {
        Track t = tracks.get(n);
        ServiceSpec spec = h.spec(n);
        if (paused(n)) {
            enter(t, ServiceState.PAUSED);
            say(n, "restart not performed: " + pausedBecause(n));
            return;
        }
        String wait = waitClause(n);
        if (!wait.isEmpty()) {
            enter(t, ServiceState.WAITING);
            t.waitingFor = wait;
            say(n, "restart postponed " + wait);
            return;
        }
        if (!budget.available(now)) {
            if (t.state != ServiceState.HELD) {
                enter(t, ServiceState.HELD);
                say(n, "restart held because the host restart budget is spent (" + budget.spent(now)
                        + " restarts within " + duration(budget.windowNanos()) + " across the host); retrying when"
                        + " the window clears in " + duration(budget.availableAtNanos(now) - now)
                        + " [event " + t.eventId + "]");
            }
            return;
        }
        budget = budget.spend(now);
        prune(t, spec.restart());
        t.restarts.add(now);
        t.unhelpful++;
        restartAction(n, t, spec.means().orElseThrow(), t.eventId);
        enter(t, ServiceState.RESTARTING);
        String text = "restarting now (attempt " + t.restarts.size() + " of " + spec.restart().maxRestarts()
                + ") because " + t.reason + " [event " + t.eventId + "]";
        emit(Kind.RESTART, t.eventId, n, text);
        say(n, text);
    }

    private void restartAction(String n, Track t, ServiceSpec.RestartMeans means, String id) {
        boolean noChild = !t.exit.isEmpty() || t.state == ServiceState.STOPPED;
        actions.add(means instanceof ServiceSpec.Process p && noChild
                ? new Action.StartProcess(n, p, Optional.of(id))
                : new Action.RestartService(n, means, id));
    }

    private void giveUp(String n) {
        Track t = tracks.get(n);
        ServiceSpec spec = h.spec(n);
        ServiceSpec.RestartPolicy policy = spec.restart();
        String id = newId();
        enter(t, ServiceState.FATAL);
        t.eventId = id;
        t.deadline = policy.rearmAfter().isPresent() ? now + rearmNanos(n) : Decision.NEVER;
        String text = "gave up after " + t.restarts.size() + " restarts within " + duration(policy.within())
                + " because " + t.reason + "; FATAL until an operator resumes it"
                + policy.rearmAfter().map(r -> " or " + duration(r) + " pass without a new failure").orElse("");
        if (spec.escalate().isPresent() && mayEscalate(n)) {
            ServiceSpec.VmRestart vm = spec.escalate().get().vm();
            String escId = newId();
            t.lastEscalation = OptionalLong.of(now);
            t.unhelpful = 0;
            text += "; restarting " + Texts.vm(vm) + " [event " + id + ", escalation " + escId + "]";
            emit(Kind.GIVE_UP, id, n, text);
            actions.add(new Action.EscalateVm(n, vm, escId));
            emit(Kind.ESCALATION, escId, n, "restarting " + Texts.vm(vm) + " because the service went FATAL: "
                    + t.reason + " [event " + escId + "]");
        } else {
            text += " [event " + id + "]";
            emit(Kind.GIVE_UP, id, n, text);
        }
        say(n, text);
    }

    private void escalate(String n) {
        Track t = tracks.get(n);
        ServiceSpec.Escalation esc = h.spec(n).escalate().orElseThrow();
        String id = newId();
        enter(t, ServiceState.ESCALATING);
        t.eventId = id;
        t.lastEscalation = OptionalLong.of(now);
        int restarts = t.unhelpful;
        t.unhelpful = 0;
        String why = h.spec(n).means().isEmpty() ? "the service has no other restart means"
                : restarts + " restarts did not help";
        String text = "restarting " + Texts.vm(esc.vm()) + " because " + why + ": " + t.reason + " [event " + id + "]";
        actions.add(new Action.EscalateVm(n, esc.vm(), id));
        emit(Kind.ESCALATION, id, n, text);
        say(n, text);
    }

    /** At most one escalation per {@code within} window of the service. */
    private boolean mayEscalate(String n) {
        OptionalLong last = tracks.get(n).lastEscalation;
        return last.isEmpty() || now - last.getAsLong() >= h.spec(n).restart().within().toNanos();
    }

    /** Back to RUNNING without a restart; the counters reset once it has stayed healthy for a grace. */
    private void recovered(String n, String text) {
        Track t = tracks.get(n);
        enter(t, ServiceState.RUNNING);
        if (t.failures > 0 || t.unhelpful > 0) {
            t.deadline = now + h.graceNanos(n);
        }
        t.reason = "";
        t.eventId = "";
        say(n, text);
    }

    /** Judges a service from its facts alone (after a pause, a rearm, a resume): healthy, or a failure now. */
    private void evaluate(String n, boolean quiet) {
        Track t = tracks.get(n);
        if (t.healthy()) {
            enter(t, ServiceState.RUNNING);
            t.reason = "";
            t.eventId = "";
            if (!quiet) {
                say(n, "healthy");
            }
        } else {
            enter(t, ServiceState.RUNNING);
            failure(n, t.problem());
        }
    }

    private void resumePaused() {
        for (String n : h.startOrder()) {
            Track t = tracks.get(n);
            if (t.state == ServiceState.PAUSED && t.pause.isEmpty()) {
                evaluate(n, true);
            }
        }
    }

    /**
     * A WAITING service whose reason to wait changed (a dependency went down or up, failover took or
     * released it) says what holds it now, once; {@code waitingFor} follows for /status.
     */
    private void waitEdges() {
        for (String n : h.startOrder()) {
            Track t = tracks.get(n);
            if (t.state != ServiceState.WAITING) {
                continue;
            }
            String wait = waitClause(n);
            if (!wait.isEmpty() && !wait.equals(t.waitingFor)) {
                say(n, "still not restarted " + wait);
                t.waitingFor = wait;
            }
        }
    }

    /**
     * The host budget's edges: ONE event when a restart is first held, one when the episode is over —
     * the window has room again and nothing is held — so a stampede is one mail, not one per service.
     */
    private void budgetEdges() {
        List<String> held = tracks.entrySet().stream()
                .filter(e -> e.getValue().state == ServiceState.HELD).map(Map.Entry::getKey).toList();
        if (!held.isEmpty() && !budget.holding()) {
            budget = budget.withHolding(true);
            String id = newId();
            String text = "suspecting the host: " + budget.spent(now) + " restarts within "
                    + duration(budget.windowNanos()) + " spent the host restart budget (node.restart_budget); holding"
                    + " restarts of " + Texts.names(held) + " until the window clears in "
                    + duration(budget.availableAtNanos(now) - now) + " [event " + id + "]";
            emit(Kind.HOST_HELD, id, null, text);
            sayNode(text);
        } else if (held.isEmpty() && budget.holding() && budget.available(now)) {
            budget = budget.withHolding(false);
            String id = newId();
            String text = "the host restart budget has room again; no restart is held [event " + id + "]";
            emit(Kind.HOST_RELEASED, id, null, text);
            sayNode(text);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Dependencies that are down: failing, not running, or in the middle of a restart. */
    private List<String> depsDown(String n) {
        List<String> down = new ArrayList<>();
        for (String d : h.spec(n).dependsOn()) {
            Track t = tracks.get(d);
            if (t != null && (!t.healthy() || switch (t.state) {
                case STOPPED, RESTARTING, ESCALATING, FATAL, BACKOFF, HELD, WAITING, DOWN -> true;
                default -> false;
            })) {
                down.add(d);
            }
        }
        return down;
    }

    /**
     * Why a restart of the service must wait now, as it reads after "not restarted": its dependencies
     * are down, failover holds it, or both; empty when nothing does.
     */
    private String waitClause(String n) {
        List<String> deps = depsDown(n);
        String byDeps = deps.isEmpty() ? "" : "because " + (deps.size() == 1 ? "dependency " + deps.get(0) + " is"
                : "dependencies " + Texts.names(deps) + " are") + " down and its recovery comes first";
        // A MASTER with persistence off comes back empty and its replica copies the emptiness: fail over first.
        String byHold = tracks.get(n).failoverHold.map(hb -> "while " + hb + ": failing over first").orElse("");
        return byDeps.isEmpty() || byHold.isEmpty() ? byDeps + byHold : byDeps + ", and " + byHold;
    }

    private boolean paused(String n) {
        return tracks.get(n).pause.isPresent() || nodePause.isPresent();
    }

    private String pausedBecause(String n) {
        Pause p = tracks.get(n).pause.orElse(nodePause.orElse(null));
        if (p == null) {
            return "paused";
        }
        return (tracks.get(n).pause.isPresent() ? "the service" : "the node") + " is paused for maintenance ("
                + p.reason() + (p.untilNanos().isPresent() ? ", " + duration(p.untilNanos().getAsLong() - now) + " left"
                : "") + ")";
    }

    private void prune(Track t, ServiceSpec.RestartPolicy policy) {
        long within = policy.within().toNanos();
        t.restarts.removeIf(at -> now - at >= within);
    }

    private long rearmNanos(String n) {
        return h.spec(n).restart().rearmAfter().orElseThrow().toNanos();
    }

    /** Exponential from {@code initial}, doubled per failure, stretched by the jitter, never above {@code max}. */
    private long backoffNanos(ServiceSpec.Backoff b, int failure) {
        long initial = b.initial().toNanos();
        long max = b.max().toNanos();
        if (initial <= 0) {
            return 0;
        }
        int shift = Math.min(failure - 1, 62);
        long base = initial > (max >> shift) ? max : initial << shift;
        base = Math.min(base, max);
        double u = (next() >>> 11) * 0x1.0p-53;
        return (long) Math.min((double) max, base * (1 + h.options().jitter() * u));
    }

    private void enter(Track t, ServiceState s) {
        if (t.state != s) {
            t.state = s;
            t.since = now;
        }
        if (s != ServiceState.WAITING) {
            t.waitingFor = "";
        }
        t.deadline = Decision.NEVER;
    }

    private boolean due(Track t) {
        return t.deadline != Decision.NEVER && now - t.deadline >= 0;
    }

    private boolean reached(OptionalLong until) {
        return until.isPresent() && now - until.getAsLong() >= 0;
    }

    /** SplitMix64 over the seed carried in the state: deterministic, so decide stays pure. */
    private long next() {
        seed += GOLDEN;
        long z = seed;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A fresh event id from the seeded stream: the decision stays pure. */
    private String newId() {
        return EventIds.format(next());
    }

    private void emit(Kind kind, String id, String service, String text) {
        String prefix = service == null ? "node: " : "service " + service + ": ";
        actions.add(new Action.Emit(new HealEvent(id, kind, Optional.ofNullable(service), prefix + text)));
    }

    private void say(String service, String text) {
        append("service " + service, text);
    }

    /** Node sentences are not merged: each is its own fact (a pause, a held budget). */
    private void sayNode(String text) {
        lines.put("node#" + lines.size(), new StringBuilder("node: ").append(text));
    }

    private void append(String who, String text) {
        StringBuilder sb = lines.get(who);
        if (sb == null) {
            lines.put(who, new StringBuilder(who).append(": ").append(text));
        } else {
            sb.append("; ").append(text);
        }
    }

    private Decision result() {
        Map<String, ServiceStatus> out = new LinkedHashMap<>();
        long wake = nodePause.flatMap(p -> p.untilNanos().isPresent()
                ? Optional.of(p.untilNanos().getAsLong()) : Optional.empty()).orElse(Decision.NEVER);
        boolean anyHeld = budget.holding(); // also wake to end the episode when the window clears
        for (var e : tracks.entrySet()) {
            Track t = e.getValue();
            out.put(e.getKey(), t.freeze());
            wake = earliest(wake, t.deadline);
            if (t.pause.isPresent() && t.pause.get().untilNanos().isPresent()) {
                wake = earliest(wake, t.pause.get().untilNanos().getAsLong());
            }
            anyHeld |= t.state == ServiceState.HELD;
        }
        if (anyHeld && budget.availableAtNanos(now) - now > 0) {
            wake = earliest(wake, budget.availableAtNanos(now));
        }
        List<String> log = lines.values().stream().map(StringBuilder::toString).toList();
        return new Decision(new HealState(out, budget, nodePause, seed), actions, wake, log);
    }

    private long earliest(long a, long b) {
        if (a == Decision.NEVER) {
            return b;
        }
        if (b == Decision.NEVER) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }
}
