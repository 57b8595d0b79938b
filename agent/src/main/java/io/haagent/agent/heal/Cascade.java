package io.haagent.agent.heal;

import static io.haagent.agent.heal.Texts.duration;

import io.haagent.agent.heal.HealEvent.Kind;
import io.haagent.config.ServiceSpec;
import io.haagent.time.Backoff;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a failure of a service decides: the guards of {@link Healer}, in order — FATAL, a pause, a
 * dependency or failover holding it, no restart means, max_restarts (give up), escalation, the
 * backoff, the host budget — and the ways back to RUNNING (a recovery, a judgement on the facts).
 */
final class Cascade {
    private final DecisionDraft d;

    Cascade(DecisionDraft draft) {
        this.d = draft;
    }

    /** Something says the service needs a restart: walk the guards. */
    void failure(String n, String reason) {
        Track t = d.track(n);
        ServiceSpec spec = d.healer.spec(n);
        ServiceSpec.RestartPolicy policy = spec.restart();
        t.reason = reason;
        if (t.state == ServiceState.FATAL) {
            if (policy.rearmAfter().isPresent()) {
                t.deadline = d.now + rearmNanos(n); // not quiet: the rearm clock starts over
            }
            return;
        }
        if (d.paused(n)) {
            d.enter(t, ServiceState.PAUSED);
            d.say(n, reason + "; not restarted: " + d.pausedBecause(n));
            return;
        }
        // Before the means: a held service is neither restarted, escalated to a VM restart nor given up on.
        String wait = d.waitClause(n);
        if (!wait.isEmpty()) {
            if (t.state != ServiceState.WAITING) {
                d.enter(t, ServiceState.WAITING);
                d.say(n, reason + ServiceStatus.NOT_RESTARTED + wait);
            }
            t.waitingFor = wait;
            return;
        }
        if (spec.means().isEmpty()) {
            // Watched from outside (a Dom0 watching a DomU): the VM restart is the only remedy there is.
            if (spec.escalate().isPresent() && mayEscalate(n)) {
                escalate(n);
            } else if (t.state != ServiceState.DOWN) {
                d.enter(t, ServiceState.DOWN);
                d.say(n, reason + "; nothing restarts it: the service has no process, systemd unit or restart_command"
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
        t.eventId = d.newId();
        if (delay <= 0) {
            attempt(n);
            return;
        }
        d.enter(t, ServiceState.BACKOFF);
        t.deadline = d.now + delay;
        d.say(n, "restarting in " + duration(delay) + " (attempt " + (t.restarts.size() + 1) + " of "
                + policy.maxRestarts() + ") because " + reason + EventSuffix.of(t.eventId));
    }

    /** The backoff is over (or the budget or a dependency freed up): restart now if nothing holds it. */
    void attempt(String n) {
        Track t = d.track(n);
        ServiceSpec spec = d.healer.spec(n);
        if (d.paused(n)) {
            d.enter(t, ServiceState.PAUSED);
            d.say(n, "restart not performed: " + d.pausedBecause(n));
            return;
        }
        String wait = d.waitClause(n);
        if (!wait.isEmpty()) {
            d.enter(t, ServiceState.WAITING);
            t.waitingFor = wait;
            d.say(n, "restart postponed " + wait);
            return;
        }
        if (!d.budget.available(d.now)) {
            if (t.state != ServiceState.HELD) {
                d.enter(t, ServiceState.HELD);
                d.say(n, "restart held because the host restart budget is spent (" + Texts.restarts(d.budget.spent(d.now))
                        + " within " + duration(d.budget.windowNanos()) + " across the host); retrying when"
                        + " the window clears in " + duration(d.budget.availableAtNanos(d.now) - d.now)
                        + EventSuffix.of(t.eventId));
            }
            return;
        }
        d.budget = d.budget.spend(d.now);
        prune(t, spec.restart());
        t.restarts.add(d.now);
        t.unhelpful++;
        restartAction(n, t, spec.means().orElseThrow(), t.eventId);
        d.enter(t, ServiceState.RESTARTING);
        String text = "restarting now (attempt " + t.restarts.size() + " of " + spec.restart().maxRestarts()
                + ") because " + t.reason + EventSuffix.of(t.eventId);
        d.emit(Kind.RESTART, t.eventId, n, text);
        d.say(n, text);
    }

    /** A child that is gone is started again; any other means restarts what runs. */
    void restartAction(String n, Track t, ServiceSpec.RestartMeans means, String id) {
        boolean noChild = !t.exit.isEmpty() || t.state == ServiceState.STOPPED;
        d.act(means instanceof ServiceSpec.Process p && noChild
                ? new Action.StartProcess(n, p, Optional.of(id))
                : new Action.RestartService(n, means, id, t.reason));
    }

    private void giveUp(String n) {
        Track t = d.track(n);
        ServiceSpec spec = d.healer.spec(n);
        ServiceSpec.RestartPolicy policy = spec.restart();
        String id = d.newId();
        d.enter(t, ServiceState.FATAL);
        t.eventId = id;
        t.deadline = policy.rearmAfter().isPresent() ? d.now + rearmNanos(n) : Decision.NEVER;
        String text = "gave up after " + Texts.restarts(t.restarts.size()) + " within " + duration(policy.within())
                + " because " + t.reason + "; FATAL until an operator resumes it"
                + policy.rearmAfter().map(r -> " or " + duration(r) + " pass without a new failure").orElse("");
        if (spec.escalate().isPresent() && mayEscalate(n)) {
            ServiceSpec.VmRestart vm = spec.escalate().get().vm();
            String escId = d.newId();
            t.lastEscalation = OptionalLong.of(d.now);
            t.unhelpful = 0;
            text += "; restarting " + Texts.vm(vm) + EventSuffix.withEscalation(id, escId);
            d.emit(Kind.GIVE_UP, id, n, text);
            d.act(new Action.EscalateVm(n, vm, escId, "the service went FATAL: " + t.reason));
            d.emit(Kind.ESCALATION, escId, n, "restarting " + Texts.vm(vm) + " because the service went FATAL: "
                    + t.reason + EventSuffix.of(escId));
            d.say(n, text, Sentence.Severity.ERROR);
        } else {
            text += EventSuffix.of(id);
            d.emit(Kind.GIVE_UP, id, n, text);
            d.say(n, text, Sentence.Severity.WARN);
        }
    }

    private void escalate(String n) {
        Track t = d.track(n);
        ServiceSpec.Escalation esc = d.healer.spec(n).escalate().orElseThrow();
        String id = d.newId();
        d.enter(t, ServiceState.ESCALATING);
        t.eventId = id;
        t.lastEscalation = OptionalLong.of(d.now);
        int restarts = t.unhelpful;
        t.unhelpful = 0;
        String why = d.healer.spec(n).means().isEmpty() ? "the service has no other restart means"
                : Texts.restarts(restarts) + " did not help";
        String text = "restarting " + Texts.vm(esc.vm()) + " because " + why + ": " + t.reason + EventSuffix.of(id);
        d.act(new Action.EscalateVm(n, esc.vm(), id, why + ": " + t.reason));
        d.emit(Kind.ESCALATION, id, n, text);
        d.say(n, text, Sentence.Severity.ERROR);
    }

    /** At most one escalation per {@code within} window of the service. */
    private boolean mayEscalate(String n) {
        OptionalLong last = d.track(n).lastEscalation;
        return last.isEmpty() || d.now - last.getAsLong() >= d.healer.spec(n).restart().within().toNanos();
    }

    /** Back to RUNNING without a restart; the counters reset once it has stayed healthy for a grace. */
    void recovered(String n, String text) {
        Track t = d.track(n);
        d.enter(t, ServiceState.RUNNING);
        if (t.failures > 0 || t.unhelpful > 0) {
            t.deadline = d.now + d.healer.graceNanos(n);
        }
        t.reason = "";
        t.eventId = "";
        d.say(n, text);
    }

    /** Judges a service from its facts alone (after a pause, a rearm, a resume): healthy, or a failure now. */
    void evaluate(String n, boolean quiet) {
        Track t = d.track(n);
        if (t.healthy()) {
            d.enter(t, ServiceState.RUNNING);
            t.reason = "";
            t.eventId = "";
            if (!quiet) {
                d.say(n, "healthy");
            }
        } else {
            d.enter(t, ServiceState.RUNNING);
            failure(n, t.problem());
        }
    }

    /** The node's pause ended: services PAUSED only by it are judged, quietly, as they are now. */
    void resumePaused() {
        for (String n : d.healer.startOrder()) {
            Track t = d.track(n);
            if (t.state == ServiceState.PAUSED && t.pause.isEmpty()) {
                evaluate(n, true);
            }
        }
    }

    /**
     * Nothing holds a WAITING service's restart any more ({@code what} says what ended it): judged as it is
     * now, by the normal cascade, so backoff, max_restarts and the host budget still bound a restart loop
     * even when the hold flaps.
     */
    void waitOver(String n, String what) {
        Track t = d.track(n);
        if (t.healthy()) {
            recovered(n, what + " and the service is healthy; no restart needed");
        } else if (!t.exit.isEmpty()) {
            d.say(n, what);
            failure(n, t.exit);
        } else {
            // Its checks may have failed only because of the dependency, or of the role it had while MASTER
            // (a failover demotes it): let them catch up first.
            d.enter(t, ServiceState.STARTING);
            long grace = d.healer.graceNanos(n);
            t.deadline = d.now + grace;
            d.say(n, what + "; its own checks count after a " + duration(grace) + " grace");
        }
    }

    long rearmNanos(String n) {
        return d.healer.spec(n).restart().rearmAfter().orElseThrow().toNanos();
    }

    private void prune(Track t, ServiceSpec.RestartPolicy policy) {
        long within = policy.within().toNanos();
        t.restarts.removeIf(at -> d.now - at >= within);
    }

    /** The wait before restart {@code failure}, by the one backoff rule, stretched by the healer's jitter. */
    private long backoffNanos(ServiceSpec.Backoff b, int failure) {
        if (b.initial().toNanos() <= 0) {
            return 0; // restart at once, and without a draw: the seeded stream (the event ids) moves as it always did
        }
        return new Backoff(b.initial(), b.max(), d.healer.options().jitter()).nanos(failure, d.draw());
    }
}
