package io.haagent.agent.daemon;

import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.heal.Decision;
import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.HealState;
import io.haagent.agent.heal.Healer;
import io.haagent.agent.heal.Observation;
import io.haagent.agent.heal.ServiceStatus;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.agent.supervise.Actuator;
import io.haagent.agent.supervise.CommandRunner;
import io.haagent.agent.supervise.Restarters;
import io.haagent.agent.supervise.Supervisor;
import io.haagent.config.HaagentConfig;
import io.haagent.time.Ticker;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The healing loop (STYLE §3): one thread owns the healer's state; check flips, child exits,
 * restart results, operator requests and reloads arrive on one queue; the thread decides, logs
 * each sentence, and hands the actions to the actuator, which never blocks it.
 */
final class Healing implements Component {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.heal");

    /** A new healer from a reload, applied on the loop thread like any observation. */
    private record Reload(Healer next) {}

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Ticker ticker;
    private final AgentMetrics metrics;
    private final Supervisor supervisor;
    private final Actuator actuator;
    private final Thread thread;
    private volatile Healer healer;
    private volatile HealState state;
    private volatile boolean running = true;

    Healing(HaagentConfig config, AgentMetrics metrics, Ticker ticker) {
        this.ticker = ticker;
        this.metrics = metrics;
        this.supervisor = new Supervisor(config.node().stateDir(), Actuator.reportingTo(inbox::add), Supervisor.Options.DEFAULT);
        this.actuator = new Actuator(supervisor, new Restarters(CommandRunner.system(), supervisor, Restarters.Timeouts.DEFAULT),
                inbox::add, this::emitted);
        this.thread = Thread.ofPlatform().name("haagent-heal").unstarted(this::run);
    }

    /** Hands a fact to the loop; safe from any thread. */
    void observe(Observation o) {
        inbox.add(o);
    }

    @Override
    public void apply(HaagentConfig config, ReloadPlan plan) {
        Healer next = Healer.of(config);
        config.services().forEach((name, s) -> s.escalate().flatMap(e -> Restarters.notAvailable(e.vm()))
                .ifPresent(why -> log.warn("service {}: escalation will fail: {}", name, why)));
        if (plan == null) {
            healer = next;
            state = next.initial(new SecureRandom().nextLong(), ticker.nanoTime());
            inbox.add(new Observation.AgentStarted());
            thread.start();
        } else {
            inbox.add(new Reload(next));
        }
    }

    private void run() {
        long wake = Decision.NEVER;
        while (running) {
            Object item;
            try {
                long wait = wake == Decision.NEVER ? TimeUnit.SECONDS.toNanos(1) : wake - ticker.nanoTime();
                item = inbox.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return;
            }
            long now = ticker.nanoTime();
            Decision d;
            if (item instanceof Reload r) {
                d = healer.reload(r.next(), state, now);
                healer = r.next();
                for (String gone : state.services().keySet()) {
                    if (!d.state().services().containsKey(gone)) {
                        metrics.forget("service", gone);
                    }
                }
            } else {
                d = healer.decide(item instanceof Observation o ? o : new Observation.TimePassed(), state, now);
            }
            state = d.state();
            d.log().forEach(log::info);
            state.services().forEach((name, s) -> metrics.serviceState(name, s.state().code()));
            actuator.perform(d.actions());
            wake = d.nextWakeAtNanos();
        }
    }

    private void emitted(HealEvent e) {
        switch (e.kind()) {
            case RESTART -> e.service().ifPresent(metrics::restarted);
            case GIVE_UP -> e.service().ifPresent(metrics::gaveUp);
            case ESCALATION -> e.service().ifPresent(metrics::escalated);
            default -> { }
        }
    }

    AdminServer.Reply request(Optional<String> service, Observation o, String accepted) {
        if (service.isPresent() && !healer.services().containsKey(service.get())) {
            return AdminServer.Reply.refused(404, "no service named '" + service.get() + "'; services: "
                    + String.join(", ", healer.services().keySet()));
        }
        inbox.add(o);
        return AdminServer.Reply.ok(accepted);
    }

    AdminServer.Reply restart(String service, String reason) {
        return request(Optional.of(service), new Observation.RestartRequested(service, reason), "restart of " + service + " requested");
    }

    AdminServer.Reply pause(Optional<String> service, String reason, Optional<Duration> expiry) {
        return request(service, new Observation.OperatorPaused(service, reason, expiry),
                service.orElse("the node") + " paused" + expiry.map(d -> " for " + io.haagent.config.Durations.format(d)).orElse(""));
    }

    AdminServer.Reply resume(Optional<String> service) {
        return request(service, new Observation.OperatorResumed(service, "operator request"), service.orElse("the node") + " resumed");
    }

    @Override
    public void status(Map<String, Object> into) {
        HealState s = state;
        if (s == null) {
            return;
        }
        long now = ticker.nanoTime();
        Instant wallNow = Instant.now();
        s.nodePause().ifPresent(p -> into.put("paused", Map.of("reason", p.reason())));
        List<Map<String, Object>> services = new ArrayList<>();
        s.services().forEach((name, st) -> services.add(serviceStatus(name, st, now, wallNow)));
        into.put("services", services);
    }

    private Map<String, Object> serviceStatus(String name, ServiceStatus st, long now, Instant wallNow) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("state", st.state().name());
        m.put("since", wallNow.minusNanos(Math.max(0, now - st.sinceNanos())).toString());
        m.put("restarts", st.restarts().size());
        m.put("reason", st.reason().isEmpty() ? null : st.reason());
        m.put("checks_down", st.checksDown());
        m.put("event_id", st.eventId().isEmpty() ? null : st.eventId());
        m.put("pid", supervisor.pid(name).isPresent() ? supervisor.pid(name).getAsLong() : null);
        st.pause().ifPresent(p -> m.put("paused", p.reason()));
        return m;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        actuator.close();
        supervisor.close();
    }
}
