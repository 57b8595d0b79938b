package io.haagent.agent.heal;

import io.haagent.agent.heal.Observation.TimePassed;
import io.haagent.config.NodeConfig;
import io.haagent.config.ServiceSpec;
import io.haagent.testkit.FakeTicker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Drives a {@link Healer} with a fake clock, as the daemon's loop would, and remembers every decision. */
final class Sim {
    static final Duration GRACE = Duration.ofSeconds(10);
    static final NodeConfig.RestartBudget ROOMY = new NodeConfig.RestartBudget(1000, Duration.ofMinutes(1));

    final FakeTicker clock = new FakeTicker();
    final Healer healer;
    HealState state;
    Decision last;
    final List<Decision> all = new ArrayList<>();

    Sim(Map<String, ServiceSpec> services) {
        this(services, ROOMY, 0);
    }

    Sim(Map<String, ServiceSpec> services, NodeConfig.RestartBudget budget, double jitter) {
        healer = new Healer(services, budget, new Healer.Options(jitter, GRACE));
        state = healer.initial(42, clock.nanoTime());
    }

    Decision on(Observation o) {
        last = healer.decide(o, state, clock.nanoTime());
        state = last.state();
        all.add(last);
        return last;
    }

    /**
     * Reports every service's checks UP, starts the agent and reports each child's start done ({@code pid 100}),
     * dependents after their dependencies, as they are started; then the start grace passes.
     */
    void startAll() {
        healer.services().values().stream().flatMap(s -> s.checks().stream()).distinct()
                .forEach(c -> on(new Observation.CheckWentUp(c)));
        java.util.ArrayDeque<Action.StartProcess> starts = new java.util.ArrayDeque<>(startsIn(on(
                new Observation.AgentStarted())));
        while (!starts.isEmpty()) {
            starts.addAll(startsIn(on(new Observation.RestartFinished(starts.poll().service(), true, "pid 100"))));
        }
        after(GRACE);
    }

    private static List<Action.StartProcess> startsIn(Decision d) {
        return d.actions().stream().filter(Action.StartProcess.class::isInstance).map(Action.StartProcess.class::cast)
                .toList();
    }

    Decision after(Duration d) {
        clock.advance(d);
        return on(new TimePassed());
    }

    /** Moves the clock to the last decision's wake-up time and wakes the healer there. */
    Decision wake() {
        long next = last.nextWakeAtNanos();
        if (next == Decision.NEVER) {
            throw new AssertionError("no wake-up pending; last decision: " + last);
        }
        clock.advance(Duration.ofNanos(next - clock.nanoTime()));
        return on(new TimePassed());
    }

    long untilWake() {
        return last.nextWakeAtNanos() - clock.nanoTime();
    }

    ServiceState stateOf(String service) {
        return state.service(service).state();
    }

    ServiceStatus status(String service) {
        return state.service(service);
    }

    String log() {
        return String.join("\n", last.log());
    }

    <T extends Action> List<T> actions(Class<T> type) {
        return last.actions().stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends Action> List<T> allActions(Class<T> type) {
        return all.stream().flatMap(d -> d.actions().stream()).filter(type::isInstance).map(type::cast).toList();
    }

    List<HealEvent> allEvents(HealEvent.Kind kind) {
        return allActions(Action.Emit.class).stream().map(Action.Emit::event).filter(e -> e.kind() == kind).toList();
    }

    // ---- specs --------------------------------------------------------------------------------

    static ServiceSpec.RestartPolicy policy(Duration initial, Duration max, int maxRestarts, Duration within,
                                            Optional<Duration> rearm) {
        return new ServiceSpec.RestartPolicy(new ServiceSpec.Backoff(initial, max), maxRestarts, within, rearm);
    }

    static ServiceSpec.RestartPolicy policy(int maxRestarts) {
        return policy(Duration.ofSeconds(1), Duration.ofSeconds(60), maxRestarts, Duration.ofMinutes(10), Optional.empty());
    }

    static ServiceSpec.Process process(String command) {
        return new ServiceSpec.Process(List.of(command), Optional.of(Path.of("/srv")), Map.of(),
                ServiceSpec.StopSignal.TERM, Duration.ofSeconds(10), GRACE);
    }

    static ServiceSpec processService(String check, ServiceSpec.RestartPolicy policy, String... dependsOn) {
        return new ServiceSpec(List.of(check), Optional.of(process("/srv/" + check)), policy, Optional.empty(),
                List.of(dependsOn));
    }

    static ServiceSpec systemdService(String check, ServiceSpec.RestartPolicy policy, String... dependsOn) {
        return new ServiceSpec(List.of(check), Optional.of(new ServiceSpec.Systemd(check + ".service")), policy,
                Optional.empty(), List.of(dependsOn));
    }

    static ServiceSpec withEscalation(ServiceSpec s, int after, ServiceSpec.VmRestart vm) {
        return new ServiceSpec(s.checks(), s.means(), s.restart(), Optional.of(new ServiceSpec.Escalation(after, vm)),
                s.dependsOn());
    }

    @SafeVarargs
    static Map<String, ServiceSpec> services(Map.Entry<String, ServiceSpec>... entries) {
        Map<String, ServiceSpec> m = new LinkedHashMap<>();
        for (var e : entries) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }
}
