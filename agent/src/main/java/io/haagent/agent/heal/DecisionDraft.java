package io.haagent.agent.heal;

import static io.haagent.agent.heal.Texts.duration;

import io.haagent.agent.heal.HealEvent.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One decision in the making: a working copy of the state, the actions and the sentences, and what
 * every rule asks of them (a state change, what holds a service, a sentence). Created, filled by the
 * rules ({@link Cascade}, {@link Facts}, {@link OperatorCommands}, {@link Deadlines}, {@link HoldEdges},
 * {@link ReloadCarryOver}) and turned into a {@link Decision} once; nothing here reads a clock or
 * touches the outside world: the time is {@link #now}.
 */
final class DecisionDraft {
    final Healer healer;
    final long now;
    final Map<String, Track> tracks = new LinkedHashMap<>();
    HostBudget budget;
    Optional<Pause> nodePause;
    /** See {@link HealState#checksUp()}. */
    final Set<String> checksUp;
    /** See {@link HealState#started()}. */
    boolean started;
    private final SeededStream stream;
    private final List<Action> actions = new ArrayList<>();
    /** "service web" or "node" -> what was said about it, joined with "; " so each gets one sentence. */
    private final Map<String, StringBuilder> lines = new LinkedHashMap<>();
    /** The same keys: how loud each sentence is, the loudest of what it says. */
    private final Map<String, Sentence.Severity> severities = new LinkedHashMap<>();

    DecisionDraft(Healer healer, HealState prev, long now) {
        this.healer = healer;
        this.now = now;
        for (String name : healer.startOrder()) {
            ServiceStatus s = prev.services().get(name);
            tracks.put(name, new Track(s != null ? s : ServiceStatus.stopped(now)));
        }
        this.budget = prev.budget().reconfigured(healer.budget());
        this.nodePause = prev.nodePause();
        this.checksUp = new LinkedHashSet<>(prev.checksUp());
        this.started = prev.started();
        this.stream = new SeededStream(prev.seed());
    }

    Track track(String service) {
        return tracks.get(service);
    }

    void enter(Track t, ServiceState s) {
        if (t.state != s) {
            t.state = s;
            t.since = now;
        }
        if (s != ServiceState.WAITING) {
            t.waitingFor = "";
        }
        t.deadline = Decision.NEVER;
    }

    boolean due(Track t) {
        return t.deadline != Decision.NEVER && now - t.deadline >= 0;
    }

    boolean reached(OptionalLong until) {
        return until.isPresent() && now - until.getAsLong() >= 0;
    }

    // ---- what holds a service -----------------------------------------------------------------

    boolean paused(String n) {
        return track(n).pause.isPresent() || nodePause.isPresent();
    }

    String pausedBecause(String n) {
        Pause p = track(n).pause.orElse(nodePause.orElse(null));
        if (p == null) {
            return "paused";
        }
        return (track(n).pause.isPresent() ? "the service" : "the node") + " is paused for maintenance ("
                + p.reason() + (p.untilNanos().isPresent() ? ", " + duration(p.untilNanos().getAsLong() - now) + " left"
                : "") + ")";
    }

    /**
     * Why a restart of the service must wait now, as it reads after "not restarted": its dependencies
     * are down, failover holds it, or both; empty when nothing does.
     */
    String waitClause(String n) {
        List<String> deps = depsDown(n);
        String byDeps = deps.isEmpty() ? "" : "because " + (deps.size() == 1 ? "dependency " + deps.get(0) + " is"
                : "dependencies " + Texts.names(deps) + " are") + " down and its recovery comes first";
        // A MASTER with persistence off comes back empty and its replica copies the emptiness: fail over first.
        String byHold = track(n).failoverHold.map(hb -> "while " + hb + ": failing over first").orElse("");
        return byDeps.isEmpty() || byHold.isEmpty() ? byDeps + byHold : byDeps + ", and " + byHold;
    }

    /**
     * Dependencies a service's first start waits for (README: services start in dependency order): those not
     * started yet, and those with a check that has not gone UP yet (no result, or DOWN).
     */
    List<String> depsNotReady(String n) {
        List<String> waiting = new ArrayList<>();
        for (String d : healer.spec(n).dependsOn()) {
            Track t = tracks.get(d);
            if (t == null) {
                continue; // not a service: lint's ref.unknown-service
            }
            boolean isStarted = switch (t.state) {
                case STARTING, RUNNING, PAUSED -> true;
                default -> false;
            };
            if (!isStarted || !t.healthy() || !checksUp.containsAll(healer.spec(d).checks())) {
                waiting.add(d);
            }
        }
        return waiting;
    }

    /** Dependencies that are down: failing, not running, or in the middle of a restart. */
    private List<String> depsDown(String n) {
        List<String> down = new ArrayList<>();
        for (String d : healer.spec(n).dependsOn()) {
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

    // ---- what comes out -----------------------------------------------------------------------

    /** A fresh event id from the seeded stream: the decision stays pure. */
    String newId() {
        return stream.eventId();
    }

    /** A backoff's jitter draw, from the same stream as the event ids. */
    double draw() {
        return stream.unit();
    }

    void act(Action action) {
        actions.add(action);
    }

    void emit(Kind kind, String id, String service, String text) {
        String prefix = service == null ? "node: " : "service " + service + ": ";
        actions.add(new Action.Emit(new HealEvent(id, kind, Optional.ofNullable(service), prefix + text)));
    }

    void say(String service, String text) {
        say(service, text, Sentence.Severity.INFO);
    }

    /** As {@link #say(String, String)}; the service's sentence is at least {@code severity}. */
    void say(String service, String text, Sentence.Severity severity) {
        String who = "service " + service;
        StringBuilder sb = lines.get(who);
        if (sb == null) {
            lines.put(who, new StringBuilder(who).append(": ").append(text));
        } else {
            sb.append("; ").append(text);
        }
        severities.merge(who, severity, Sentence.Severity::atLeast);
    }

    /** Node sentences are not merged: each is its own fact (a pause, a held budget). */
    void sayNode(String text) {
        sayNode(text, Sentence.Severity.INFO);
    }

    void sayNode(String text, Sentence.Severity severity) {
        String key = "node#" + lines.size();
        lines.put(key, new StringBuilder("node: ").append(text));
        severities.put(key, severity);
    }

    Decision result() {
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
        List<Sentence> log = lines.entrySet().stream()
                .map(e -> new Sentence(severities.get(e.getKey()), e.getValue().toString())).toList();
        return new Decision(new HealState(out, budget, nodePause, stream.seed(), checksUp, started), actions, wake, log);
    }

    private static long earliest(long a, long b) {
        if (a == Decision.NEVER) {
            return b;
        }
        if (b == Decision.NEVER) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }
}
