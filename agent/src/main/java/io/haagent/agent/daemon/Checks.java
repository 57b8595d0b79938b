package io.haagent.agent.daemon;

import io.haagent.agent.heal.Observation;
import io.haagent.agent.mail.Mail;
import io.haagent.agent.systemd.Liveness;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.checker.CheckFlip;
import io.haagent.checker.CheckListener;
import io.haagent.checker.CheckScheduler;
import io.haagent.checker.CheckState;
import io.haagent.checker.CheckStatus;
import io.haagent.checker.probe.CheckResult;
import io.haagent.checker.probe.Probes;
import io.haagent.config.HaagentConfig;
import io.haagent.time.Ticker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The health checks of the config: scheduled by the checker, their flips handed to the healing
 * loop as facts and mailed ({@link CheckMail}), every result counted in the metrics.
 */
final class Checks implements Component {
    private final Probes probes = Probes.create();
    private final CheckScheduler scheduler;
    private final AgentMetrics metrics;
    private final Ticker ticker;
    private final CheckMail checkMail;

    /**
     * @param tracked  hears every flip too: the VRRP instances that track the check
     * @param observed hears every result (on the checker's listener thread): what failover reads of a Redis's role
     * @param host     the node name the check mails carry
     * @param mail     spools a mail and returns at once
     * @param ofStoppedServices whether a check belongs only to services an operator stopped: not mailed then
     */
    Checks(AgentMetrics metrics, Ticker ticker, Consumer<Observation> healing, BiConsumer<String, CheckState> tracked,
           Consumer<CheckStatus> observed, String host, Consumer<Mail> mail, Predicate<String> ofStoppedServices) {
        this.metrics = metrics;
        this.ticker = ticker;
        this.checkMail = new CheckMail(host, mail, ofStoppedServices);
        this.scheduler = CheckScheduler.create(probes, ticker);
        scheduler.addListener(new CheckListener() {
            @Override
            public void resultRecorded(CheckStatus s) {
                s.last().ifPresent(r -> {
                    metrics.checkResult(s.name(), s.type(), r.up(), r.duration().toNanos());
                    metrics.checkReadings(s.name(), r);
                });
                observed.accept(s);
            }

            @Override
            public void stateChanged(CheckFlip flip) {
                metrics.checkState(flip.check(), flip.to() == CheckState.UNKNOWN ? null : flip.to() == CheckState.UP);
                healing.accept(flip.to() == CheckState.DOWN
                        ? new Observation.CheckWentDown(flip.check(), flip.result().reason())
                        : new Observation.CheckWentUp(flip.check()));
                tracked.accept(flip.check(), flip.to());
                checkMail.flipped(flip);
            }
        });
    }

    @Override
    public void apply(HaagentConfig config, ReloadPlan plan) {
        // Before the scheduler: a new check's first flip finds its notify and its service.
        checkMail.apply(config.checks(), CheckMail.ofStartedServices(config.services()));
        var changes = scheduler.apply(config.checks());
        changes.removed().forEach(name -> metrics.forget("check", name));
        // New and changed checks start from UNKNOWN until their first result.
        changes.added().forEach(name -> metrics.checkState(name, null));
        changes.changed().forEach(name -> metrics.checkState(name, null));
    }

    /** The first round has run: every check has a result. */
    @Override
    public boolean started() {
        return scheduler.firstRoundDone();
    }

    @Override
    public void loops(List<Liveness.Loop> into) {
        into.add(new Liveness.Loop("the check scheduler", scheduler.heartbeatNanos(), CheckScheduler.HEARTBEAT));
    }

    /** The check is down now, known without its probe (see {@link CheckScheduler#knownDown}); any thread. */
    void knownDown(String check, String reason) {
        scheduler.knownDown(check, reason);
    }

    /** Every check's current state, by name. */
    Map<String, CheckState> states() {
        Map<String, CheckState> m = new LinkedHashMap<>();
        scheduler.snapshot().forEach(s -> m.put(s.name(), s.state()));
        return m;
    }

    @Override
    public void status(Map<String, Object> into) {
        long now = ticker.nanoTime();
        Instant wallNow = Instant.now();
        List<Map<String, Object>> checks = new ArrayList<>();
        for (CheckStatus s : scheduler.snapshot()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("type", s.type());
            m.put("state", s.state().name());
            m.put("since", Component.wallTime(s.sinceNanos(), now, wallNow));
            m.put("reason", s.last().map(CheckResult::reason).orElse(null));
            m.put("duration_ms", s.lastDuration().map(d -> d.toNanos() / 1e6).orElse(null));
            m.put("runs", s.runs());
            checks.add(m);
        }
        into.put("checks", checks);
    }

    @Override
    public void close() {
        scheduler.close();
        probes.close();
    }
}
