package io.haagent.agent.heal;

import static io.haagent.agent.heal.Texts.duration;

import io.haagent.agent.heal.HealEvent.Kind;
import io.haagent.agent.heal.Observation.OperatorPaused;
import io.haagent.agent.heal.Observation.OperatorResumed;
import io.haagent.agent.heal.Observation.OperatorStarted;
import io.haagent.agent.heal.Observation.OperatorStopped;
import io.haagent.agent.heal.Observation.RestartRequested;
import io.haagent.config.ServiceSpec;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an operator's request decides: a pause of a service or of the node, a resume (which also
 * takes a service out of FATAL), a restart, which passes every guard of the {@link Cascade}, and a
 * stop and start of a supervised child (supervisorctl's stop and start). An operator's act is a fresh
 * start: it clears the failure counters.
 */
final class OperatorCommands {
    private final DecisionDraft d;
    private final Cascade cascade;

    OperatorCommands(DecisionDraft draft, Cascade cascade) {
        this.d = draft;
        this.cascade = cascade;
    }

    void pause(OperatorPaused p) {
        long now = d.now;
        OptionalLong until = p.duration().map(dur -> OptionalLong.of(now + dur.toNanos())).orElse(OptionalLong.empty());
        Pause pause = new Pause(p.reason(), now, until);
        String howLong = until.isPresent() ? "for " + duration(until.getAsLong() - now) : "until an operator resumes it";
        if (p.service().isPresent()) {
            String n = p.service().get();
            if (!known(n)) {
                return;
            }
            Track t = d.track(n);
            t.pause = Optional.of(pause);
            // FATAL stays FATAL: only a resume (or restart, reload, rearm) clears it, not the pause's end.
            if (pausable(t)) {
                d.enter(t, ServiceState.PAUSED);
            }
            d.say(n, "paused " + howLong + " because " + p.reason() + "; its checks keep running, nothing restarts it");
        } else {
            d.nodePause = Optional.of(pause);
            for (Track t : d.tracks.values()) {
                if (pausable(t)) {
                    d.enter(t, ServiceState.PAUSED);
                }
            }
            d.sayNode("paused " + howLong + " because " + p.reason() + "; checks keep running, no service is restarted");
        }
    }

    /** A (re)start in flight finishes first, a stopped service is not started, and FATAL stays FATAL. */
    private static boolean pausable(Track t) {
        return t.state != ServiceState.RESTARTING && t.state != ServiceState.ESCALATING
                && t.state != ServiceState.STOPPED && t.state != ServiceState.FATAL;
    }

    void resume(OperatorResumed r) {
        if (r.service().isEmpty()) {
            if (d.nodePause.isEmpty()) {
                d.sayNode("resume ignored: the node is not paused");
                return;
            }
            d.nodePause = Optional.empty();
            d.sayNode("resumed because " + r.reason());
            cascade.resumePaused();
            return;
        }
        String n = r.service().get();
        if (!known(n)) {
            return;
        }
        Track t = d.track(n);
        if (t.stoppedBy.isPresent()) { // a stopped service has no failure to heal: only a start brings it back
            d.say(n, (t.pause.isPresent() ? "pause lifted" : "resume ignored") + ": it stays STOPPED (an operator"
                    + " stopped it: " + t.stoppedBy.get() + "); start it");
            t.pause = Optional.empty();
            return;
        }
        boolean fatal = t.state == ServiceState.FATAL;
        if (t.pause.isEmpty() && !fatal) {
            d.say(n, "resume ignored: the service is neither paused nor FATAL"
                    + (d.nodePause.isPresent() ? "; the node is paused: resume the node" : ""));
            return;
        }
        t.pause = Optional.empty();
        t.clearCounters(); // an operator's act: a fresh start
        String what = (fatal ? "left FATAL" : "resumed") + " because an operator resumed it: " + r.reason();
        if (t.state == ServiceState.RESTARTING || t.state == ServiceState.ESCALATING) {
            d.say(n, what); // judged when that finishes
        } else if (d.nodePause.isPresent()) {
            d.enter(t, ServiceState.PAUSED);
            d.say(n, what + "; still not healed while " + d.pausedBecause(n));
        } else {
            d.say(n, what);
            cascade.evaluate(n, false);
        }
    }

    void restart(RestartRequested r) {
        String n = r.service();
        if (!known(n)) {
            return;
        }
        String reason = r.reason();
        Track t = d.track(n);
        if (t.stoppedBy.isPresent()) { // nothing runs to restart: it is a start, in dependency order
            start(new OperatorStarted(n, reason));
            return;
        }
        Optional<ServiceSpec.RestartMeans> means = d.healer.spec(n).means();
        if (means.isEmpty()) {
            d.say(n, "an operator asked for a restart (" + reason + ") but the service has no process, systemd unit"
                    + " or restart_command");
            return;
        }
        if (t.state == ServiceState.RESTARTING || t.state == ServiceState.ESCALATING) {
            d.say(n, "an operator asked for a restart (" + reason + "); ignored: one is already running");
            return;
        }
        boolean fatal = t.state == ServiceState.FATAL;
        t.clearCounters();
        String id = d.newId();
        t.eventId = id;
        t.reason = "an operator asked: " + reason;
        cascade.restartAction(n, t, means.get(), id);
        d.enter(t, ServiceState.RESTARTING);
        // The operator wins (an explicit act), but is told what failover needed: this node is MASTER.
        String text = t.failoverHold.map(hb -> "restarting although " + hb + ", as an operator asked: ")
                .orElse("restarting now because an operator asked: ") + reason + (fatal ? "; left FATAL" : "")
                + EventSuffix.of(id);
        d.emit(Kind.RESTART, id, n, text);
        d.say(n, text);
    }

    /**
     * Stops the child and keeps it stopped: {@link Facts} starts no service an operator stopped. Only a child the
     * agent runs can be stopped; a systemd unit or a watched service is stopped by its own means.
     */
    void stop(OperatorStopped s) {
        String n = s.service();
        if (!known(n)) {
            return;
        }
        Track t = d.track(n);
        if (!(d.healer.spec(n).means().orElse(null) instanceof ServiceSpec.Process p)) {
            d.say(n, "stop ignored: haagent does not run it (it has no process); stop it by its own means, or pause it");
            return;
        }
        if (t.stoppedBy.isPresent()) {
            d.say(n, "stop ignored: an operator already stopped it (" + t.stoppedBy.get() + ")");
            return;
        }
        if (t.state != ServiceState.STOPPED) { // STOPPED: not started yet, no child
            d.act(new Action.StopProcess(n, p)); // after a start in flight: the service's actions run in order
        }
        d.enter(t, ServiceState.STOPPED);
        t.stoppedBy = Optional.of(s.reason());
        t.clearCounters();
        t.exit = "";
        t.reason = "";
        t.eventId = "";
        d.say(n, "stopped because an operator asked: " + s.reason() + "; its checks keep running, nothing starts it"
                + " until an operator starts it");
    }

    /** Lets {@link Facts} start the service again, as at boot: once its dependencies are started and UP. */
    void start(OperatorStarted s) {
        String n = s.service();
        if (!known(n)) {
            return;
        }
        Track t = d.track(n);
        if (t.stoppedBy.isEmpty()) {
            d.say(n, "start ignored: it was not stopped by an operator (it is " + t.state + "); ask for a restart to"
                    + " restart it");
            return;
        }
        t.stoppedBy = Optional.empty();
        t.clearCounters(); // an operator's act: a fresh start
        d.say(n, "started by an operator: " + s.reason());
        List<String> waiting = d.depsNotReady(n);
        if (!waiting.isEmpty()) {
            d.say(n, Facts.startWaits(waiting));
        }
    }

    private boolean known(String service) {
        if (d.tracks.containsKey(service)) {
            return true;
        }
        d.sayNode("ignored an operator request for '" + service + "': no such service; services: "
                + Texts.names(List.copyOf(d.tracks.keySet())));
        return false;
    }
}
