package io.haagent.agent.heal;

import io.haagent.config.Defaults;
import io.haagent.config.HaagentConfig;
import io.haagent.config.NodeConfig;
import io.haagent.config.ServiceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The healing policy of one host: restarts with backoff and jitter, give-up (FATAL) and rearm, start
 * grace, escalation to a VM restart, dependencies, maintenance pauses and the host restart budget.
 *
 * <p>{@link #decide} is a pure function (STYLE §3): the same observation, state and time always give
 * the same decision. It never reads a clock and never performs I/O; the randomness it needs (backoff
 * jitter, event ids) comes from the seed in {@link HealState}. The daemon's loop owns the state, calls
 * {@code decide} for every observation and when {@link Decision#nextWakeAtNanos} is reached, logs the
 * sentences and hands the actions to an actuator.
 *
 * <p>The guards, in order, when a service fails: FATAL only moves the rearm clock; a pause
 * (service or node) holds the restart; a dependency down, or failover holding the service (a VRRP
 * instance tracking it is MASTER here, {@link Observation.FailoverHoldChanged}): WAITING; no restart
 * means: DOWN; more than {@code max_restarts} within {@code within}: FATAL (and a VM restart if configured);
 * {@code escalate.after} restarts that did not help: a VM restart; else a restart after the backoff, when the
 * host budget allows (HELD until it does). An operator's restart passes every guard; an operator's stop keeps a
 * child STOPPED, unhealed, until their start.
 */
public final class Healer {

    /**
     * Knobs that are not in the config.
     *
     * @param jitter     each backoff is stretched by a random fraction in {@code [0, jitter)}, never beyond
     *                   {@code backoff.max}, so that services failing together do not restart in lockstep
     * @param startGrace the start grace of services without a {@code process} (systemd, restart_command, none):
     *                   they get the process default, since their checks lag a restart just the same
     */
    public record Options(double jitter, Duration startGrace) {
        public static final Options DEFAULT = new Options(0.2, Defaults.START_GRACE);

        public Options {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be within 0..1, got " + jitter);
            }
        }
    }

    private final Map<String, ServiceSpec> specs;
    private final List<String> order;
    private final Map<String, List<String>> servicesByCheck;
    private final NodeConfig.RestartBudget budget;
    private final Options options;

    public Healer(Map<String, ServiceSpec> services, NodeConfig.RestartBudget budget, Options options) {
        this.specs = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        this.order = StartOrder.of(services);
        this.budget = budget;
        this.options = options;
        Map<String, List<String>> byCheck = new LinkedHashMap<>();
        for (String name : order) {
            for (String check : specs.get(name).checks()) {
                byCheck.computeIfAbsent(check, c -> new ArrayList<>()).add(name);
            }
        }
        byCheck.replaceAll((c, l) -> List.copyOf(l));
        this.servicesByCheck = Collections.unmodifiableMap(byCheck);
    }

    public static Healer of(HaagentConfig config) {
        return new Healer(config.services(), config.node().restartBudget(), Options.DEFAULT);
    }

    /** Every service STOPPED; send {@link Observation.AgentStarted} next. */
    public HealState initial(long seed, long nowNanos) {
        Map<String, ServiceStatus> s = new LinkedHashMap<>();
        order.forEach(n -> s.put(n, ServiceStatus.stopped(nowNanos)));
        return new HealState(s, HostBudget.of(budget), Optional.empty(), seed, java.util.Set.of(), false);
    }

    public Decision decide(Observation observation, HealState prev, long nowNanos) {
        DecisionDraft draft = new DecisionDraft(this, prev, nowNanos);
        Cascade cascade = new Cascade(draft);
        new Deadlines(draft, cascade).settle(); // deadlines that passed before this observation came in
        Facts facts = new Facts(draft, cascade);
        OperatorCommands operator = new OperatorCommands(draft, cascade);
        switch (observation) {
            case Observation.AgentStarted a -> facts.startStopped();
            case Observation.CheckWentDown d -> facts.checkWentDown(d);
            case Observation.CheckWentUp u -> facts.checkWentUp(u);
            case Observation.ProcessExited e -> facts.processExited(e);
            case Observation.RestartFinished f -> facts.restartFinished(f);
            case Observation.VmRestartFinished f -> facts.vmRestartFinished(f);
            case Observation.FailoverHoldChanged f -> facts.failoverHoldChanged(f);
            case Observation.OperatorPaused p -> operator.pause(p);
            case Observation.OperatorResumed r -> operator.resume(r);
            case Observation.RestartRequested r -> operator.restart(r);
            case Observation.OperatorStopped s -> operator.stop(s);
            case Observation.OperatorStarted s -> operator.start(s);
            case Observation.TimePassed t -> { }
        }
        return conclude(draft, cascade);
    }

    /**
     * Carries the state over to {@code next} (the healer of a reloaded config), as a decision under
     * {@code next}: services whose spec is equal keep their state and their child — a reload is an
     * operator's act, so a FATAL one is rearmed; changed and removed children are stopped; changed and
     * added services start; the host budget keeps its grants under the new limits.
     */
    public Decision reload(Healer next, HealState prev, long nowNanos) {
        DecisionDraft draft = ReloadCarryOver.draft(next, prev, nowNanos);
        Cascade cascade = new Cascade(draft);
        ReloadCarryOver.carry(this, prev, draft, cascade);
        new Facts(draft, cascade).startStopped();
        return conclude(draft, cascade);
    }

    /** What every decision ends with: what fell due meanwhile, then the edges of what holds restarts. */
    private static Decision conclude(DecisionDraft draft, Cascade cascade) {
        new Deadlines(draft, cascade).settle();
        new Facts(draft, cascade).startReady(); // a dependency that came up lets its dependents start
        new HoldEdges(draft).say();
        return draft.result();
    }

    /** Services in start order: each after what it depends on. */
    public List<String> startOrder() {
        return order;
    }

    public Map<String, ServiceSpec> services() {
        return specs;
    }

    ServiceSpec spec(String service) {
        return specs.get(service);
    }

    List<String> servicesOf(String check) {
        return servicesByCheck.getOrDefault(check, List.of());
    }

    NodeConfig.RestartBudget budget() {
        return budget;
    }

    Options options() {
        return options;
    }

    /** start_grace of a process; the option for every other means. */
    long graceNanos(String service) {
        return spec(service).means().filter(m -> m instanceof ServiceSpec.Process)
                .map(m -> ((ServiceSpec.Process) m).startGrace())
                .orElse(options.startGrace()).toNanos();
    }
}
