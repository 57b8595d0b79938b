package io.haagent.agent.heal;

import static io.haagent.agent.heal.Texts.duration;

import io.haagent.agent.heal.Observation.CheckWentDown;
import io.haagent.agent.heal.Observation.CheckWentUp;
import io.haagent.agent.heal.Observation.FailoverHoldChanged;
import io.haagent.agent.heal.Observation.ProcessExited;
import io.haagent.agent.heal.Observation.RestartFinished;
import io.haagent.agent.heal.Observation.VmRestartFinished;
import io.haagent.config.ServiceSpec;
import java.util.List;
import java.util.Optional;

/**
 * What the facts reported by the rest of the agent decide: the start, check edges, a child's exit,
 * the end of a restart or a VM restart, failover taking or releasing a service. A fact about a
 * service the config does not know (any more) is ignored.
 */
final class Facts {
    private final DecisionDraft d;
    private final Cascade cascade;

    Facts(DecisionDraft draft, Cascade cascade) {
        this.d = draft;
        this.cascade = cascade;
    }

    /**
     * Starts what is STOPPED, in start order, each once its dependencies are started and their checks UP;
     * says what each of the others waits for.
     */
    void startStopped() {
        d.started = true;
        start(true);
    }

    /** As {@link #startStopped()}, quietly for those that still wait: after any fact, a dependency may be up. */
    void startReady() {
        if (d.started) { // before AgentStarted nothing starts: the daemon wires the checks first
            start(false);
        }
    }

    /** Children are spawned, other means only watched. */
    private void start(boolean sayWhyNot) {
        for (String n : d.healer.startOrder()) {
            Track t = d.track(n);
            if (t.state != ServiceState.STOPPED || t.stoppedBy.isPresent()) {
                continue; // an operator's stop holds until an operator's start
            }
            List<String> waiting = d.depsNotReady(n);
            if (!waiting.isEmpty()) {
                if (sayWhyNot) {
                    d.say(n, startWaits(waiting));
                }
                continue;
            }
            if (d.healer.spec(n).means().orElse(null) instanceof ServiceSpec.Process p) {
                d.act(new Action.StartProcess(n, p, Optional.empty()));
                d.enter(t, ServiceState.RESTARTING);
                d.say(n, "starting " + String.join(" ", p.command()));
            } else {
                // Nothing to start: systemd or an operator runs it. Its checks get the grace a start gets.
                d.enter(t, ServiceState.STARTING);
                t.deadline = d.now + d.healer.graceNanos(n);
            }
        }
    }

    /** What a first start waits for, as said at boot and at an operator's start. */
    static String startWaits(List<String> waiting) {
        return "its start waits until " + (waiting.size() == 1
                ? "dependency " + waiting.get(0) + " is started and its checks are UP"
                : "dependencies " + Texts.names(waiting) + " are started and their checks are UP");
    }

    void checkWentDown(CheckWentDown down) {
        d.checksUp.remove(down.check());
        d.healer.servicesOf(down.check()).forEach(n -> checkDown(n, down.check(), down.reason()));
    }

    void checkWentUp(CheckWentUp up) {
        d.checksUp.add(up.check());
        d.healer.servicesOf(up.check()).forEach(n -> checkUp(n, up.check()));
    }

    private void checkDown(String n, String check, String reason) {
        Track t = d.track(n);
        t.checksDown.put(check, reason);
        String what = "check " + check + " went DOWN: " + reason;
        switch (t.state) {
            case RUNNING, FATAL -> cascade.failure(n, what);
            case STARTING -> d.say(n, what + "; ignored inside the start grace (" + duration(t.deadline - d.now)
                    + " left)");
            case PAUSED -> d.say(n, what + "; not restarted: " + d.pausedBecause(n));
            default -> { } // already being healed, or not started: the fact is recorded
        }
    }

    private void checkUp(String n, String check) {
        Track t = d.track(n);
        if (t.checksDown.remove(check) == null || !t.healthy()) {
            return;
        }
        switch (t.state) {
            case BACKOFF, HELD, WAITING -> cascade.recovered(n, "check " + check + " went UP; restart cancelled"
                    + EventSuffix.ifAny(t.eventId));
            case DOWN -> cascade.recovered(n, "check " + check + " went UP");
            default -> { }
        }
    }

    void processExited(ProcessExited e) {
        String n = e.service();
        if (!d.tracks.containsKey(n)) {
            return;
        }
        Track t = d.track(n);
        // Exits the agent caused are expected; during RESTARTING an exit is the old child of the
        // restart in flight (the supervisor reports a new child's start before its exit).
        if (!(d.healer.spec(n).means().orElse(null) instanceof ServiceSpec.Process) || e.stopRequested()
                || t.state == ServiceState.RESTARTING || t.state == ServiceState.STOPPED) {
            return;
        }
        t.exit = e.describe();
        switch (t.state) {
            case RUNNING, STARTING, FATAL -> cascade.failure(n, t.exit);
            case PAUSED -> d.say(n, t.exit + "; not restarted: " + d.pausedBecause(n));
            default -> { } // BACKOFF, HELD, WAITING: the pending restart starts a new child
        }
    }

    void restartFinished(RestartFinished f) {
        String n = f.service();
        if (!d.tracks.containsKey(n)) {
            return;
        }
        Track t = d.track(n);
        if (t.state != ServiceState.RESTARTING) {
            return; // stale: an operator or a reload moved on
        }
        boolean first = t.eventId.isEmpty();
        if (!f.ok()) {
            if (d.healer.spec(n).means().orElse(null) instanceof ServiceSpec.Process) {
                t.exit = "the start failed: " + f.detail();
                cascade.failure(n, t.exit);
            } else {
                cascade.failure(n, "the restart failed: " + f.detail());
            }
            return;
        }
        t.exit = "";
        if (d.paused(n)) {
            d.enter(t, ServiceState.PAUSED);
            d.say(n, (first ? "started" : "restarted") + " (" + f.detail() + "); not healed while "
                    + d.pausedBecause(n));
            return;
        }
        d.enter(t, ServiceState.STARTING);
        long grace = d.healer.graceNanos(n);
        t.deadline = d.now + grace;
        d.say(n, (first ? "started" : "restarted") + " (" + f.detail() + "); its checks count after the "
                + duration(grace) + " start grace" + EventSuffix.ifAny(t.eventId));
    }

    void vmRestartFinished(VmRestartFinished f) {
        String n = f.service();
        if (!d.tracks.containsKey(n)) {
            return;
        }
        Track t = d.track(n);
        if (!f.ok()) {
            // A failed VM restart does not use up the window: the next escalation may try again.
            t.lastEscalation = java.util.OptionalLong.empty();
        } else {
            d.emit(HealEvent.Kind.VM_RESTARTED, t.eventId, n, "VM restart finished: " + f.detail()
                    + EventSuffix.ifAny(t.eventId));
        }
        if (t.state != ServiceState.ESCALATING) {
            d.say(n, "VM restart " + (f.ok() ? "finished" : "failed") + ": " + f.detail());
            return;
        }
        if (!f.ok()) {
            cascade.failure(n, "the VM restart failed: " + f.detail());
            return;
        }
        if (d.paused(n)) {
            d.enter(t, ServiceState.PAUSED);
            d.say(n, "VM restart finished (" + f.detail() + "); not healed while " + d.pausedBecause(n));
            return;
        }
        d.enter(t, ServiceState.STARTING);
        long grace = d.healer.graceNanos(n);
        t.deadline = d.now + grace;
        d.say(n, "VM restart finished (" + f.detail() + "); its checks count after the " + duration(grace)
                + " start grace" + EventSuffix.of(t.eventId));
    }

    /**
     * Failover holds the service where it is, or lets it go. Holding is quiet: nothing is restarted
     * yet, and a failure while held says why it waits. A release lets a WAITING service be judged as
     * it is now — unless its dependencies still hold it — and a pending backoff runs its course.
     */
    void failoverHoldChanged(FailoverHoldChanged f) {
        String n = f.service();
        if (!d.tracks.containsKey(n)) {
            return;
        }
        Track t = d.track(n);
        Optional<String> was = t.failoverHold;
        t.failoverHold = f.heldBy();
        if (f.heldBy().isPresent() || was.isEmpty() || t.state != ServiceState.WAITING) {
            return; // a new hold on a WAITING service is said by HoldEdges, with what else holds it
        }
        String what = "failover hold released (was: " + was.get() + ")";
        if (d.waitClause(n).isEmpty()) {
            cascade.waitOver(n, what);
        } else {
            d.say(n, what); // HoldEdges adds what still holds it
        }
    }
}
