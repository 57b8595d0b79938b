package io.haagent.agent.daemon;

import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.heal.Decision;
import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.HealState;
import io.haagent.agent.heal.Healer;
import io.haagent.agent.heal.Observation;
import io.haagent.agent.heal.Pause;
import io.haagent.agent.heal.ServiceState;
import io.haagent.agent.heal.ServiceStatus;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.agent.supervise.HealLoop;
import io.haagent.agent.supervise.LogTail;
import io.haagent.agent.supervise.Restarters;
import io.haagent.agent.systemd.Liveness;
import io.haagent.config.Durations;
import io.haagent.config.HaagentConfig;
import io.haagent.config.ServiceSpec;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SequencedMap;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Healing as a part of the daemon: the {@link HealLoop}, fed by the config, the checks and the
 * admin API, reported in /status and the metrics.
 */
final class Healing implements Component, HealLoop.Hooks {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.heal");

    /** How long an operator's request waits for the heal loop to decide on it; the loop decides in microseconds. */
    private static final Duration REQUEST_DECIDED_WITHIN = Duration.ofSeconds(5);

    private final AgentMetrics metrics;
    private final Ticker ticker;
    private final Consumer<HealEvent> events;
    private final Consumer<Observation.ProcessExited> exits;
    private final Consumer<String> starts;
    private final Set<String> gauged = new HashSet<>();
    private volatile HealLoop loop;

    /**
     * @param events hears every restart, give-up, escalation and hold (for the operators' mail); must not block
     * @param exits  hears a supervised child's own exit the moment it is seen (failover acts on it); must not block
     * @param starts hears each service started or restarted (failover makes a restarted Redis a replica); must not block
     */
    Healing(AgentMetrics metrics, Ticker ticker, Consumer<HealEvent> events, Consumer<Observation.ProcessExited> exits,
            Consumer<String> starts) {
        this.metrics = metrics;
        this.ticker = ticker;
        this.events = events;
        this.exits = exits;
        this.starts = starts;
    }

    @Override
    public void processExited(Observation.ProcessExited exit) {
        exits.accept(exit);
    }

    @Override
    public void processStarted(String service) {
        starts.accept(service);
    }

    /** Hands a fact to the loop; safe from any thread. */
    void observe(Observation o) {
        loop.observe(o);
    }

    /**
     * Failover holds {@code service} where it is ({@code heldBy}: "vrrp redis-vip is MASTER"), or releases
     * it (empty): while held, a failure waits for the failover instead of a restart. Send the whole hold on
     * every change (a level, not a delta); safe from any thread.
     */
    void failoverHold(String service, Optional<String> heldBy) {
        loop.observe(new Observation.FailoverHoldChanged(service, heldBy));
    }

    @Override
    public void apply(HaagentConfig config, ReloadPlan plan) {
        config.services().forEach((name, s) -> s.escalate().flatMap(e -> Restarters.notAvailable(e.vm()))
                .ifPresent(why -> log.warn("service {}: escalation will fail: {}", name, why)));
        config.services().keySet().forEach(metrics::service); // their counters at 0 before the first restart
        if (loop == null) {
            loop = new HealLoop(Healer.of(config), config.node().stateDir(), ticker, this);
        } else {
            loop.reload(Healer.of(config));
        }
    }

    /** On the loop thread: the service gauges follow every decision; a reload's removed services lose theirs. */
    @Override
    public void decided(Decision d) {
        Set<String> now = d.state().services().keySet();
        for (String gone : new ArrayList<>(gauged)) {
            if (!now.contains(gone)) {
                metrics.forget("service", gone);
                gauged.remove(gone);
            }
        }
        d.state().services().forEach((name, s) -> metrics.serviceState(name, s.state().code(), s.state().name()));
        gauged.addAll(now);
    }

    @Override
    public void emitted(HealEvent e) {
        switch (e.kind()) {
            case RESTART -> e.service().ifPresent(metrics::restarted);
            case GIVE_UP -> e.service().ifPresent(metrics::gaveUp);
            // counted once the VM restart went well: a failed one is retried, and counting it too would double it
            case VM_RESTARTED -> e.service().ifPresent(metrics::escalated);
            default -> { }
        }
        events.accept(e);
    }

    private AdminServer.Reply request(Optional<String> service, Observation o, String accepted) {
        Set<String> services = loop.healer().services().keySet();
        if (service.isPresent() && !services.contains(service.get())) {
            return AdminServer.Reply.refused(404, "no service named '" + service.get() + "'; services: "
                    + String.join(", ", services));
        }
        try {
            // decided before the answer: the operator's next request is checked against a state that has this one.
            // A loop stuck longer decides it in its turn (and a stuck loop is the watchdog's business).
            loop.observeAndAwait(o, REQUEST_DECIDED_WITHIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return AdminServer.Reply.ok(accepted);
    }

    AdminServer.Reply restart(String service, String reason) {
        return request(Optional.of(service), new Observation.RestartRequested(service, reason),
                "restart of " + service + " requested");
    }

    /** Refused at once when haagent runs no child for it, or an operator stopped it already: exit 1 for the CLI. */
    AdminServer.Reply stop(String service, String reason) {
        ServiceSpec spec = loop.healer().services().get(service);
        if (spec != null && !(spec.means().orElse(null) instanceof ServiceSpec.Process)) {
            return AdminServer.Reply.refused(409, "service " + service + " is not run by haagent (it has no process):"
                    + " stop it by its own means, or pause its healing with haagent ctl pause " + service);
        }
        ServiceStatus now = loop.state().services().get(service);
        if (now != null && now.stoppedBy().isPresent()) {
            return AdminServer.Reply.refused(409, "service " + service + " is already stopped (" + now.stoppedBy().get()
                    + "); start it with haagent ctl start " + service);
        }
        return request(Optional.of(service), new Observation.OperatorStopped(service, reason),
                "stop of " + service + " requested; it stays stopped until haagent ctl start " + service);
    }

    /**
     * Whether {@code check} is used only by services an operator stopped: its DOWN is that stop, not news to mail.
     * A check no service uses, or one a running service also uses, is not.
     */
    boolean onlyOfStoppedServices(String check) {
        HealLoop l = loop;
        if (l == null) {
            return false;
        }
        Map<String, ServiceStatus> statuses = l.state().services();
        List<String> users = l.healer().services().entrySet().stream()
                .filter(e -> e.getValue().checks().contains(check)).map(Map.Entry::getKey).toList();
        return !users.isEmpty() && users.stream()
                .allMatch(s -> statuses.containsKey(s) && statuses.get(s).stoppedBy().isPresent());
    }

    /** Refused at once when no operator stopped it: a running service is restarted, not started. */
    AdminServer.Reply start(String service, String reason) {
        ServiceStatus now = loop.state().services().get(service);
        if (now != null && now.stoppedBy().isEmpty()) {
            return AdminServer.Reply.refused(409, "service " + service + " was not stopped by an operator (it is "
                    + now.state() + "); to restart it: haagent ctl restart " + service);
        }
        return request(Optional.of(service), new Observation.OperatorStarted(service, reason),
                "start of " + service + " requested (after its dependencies)");
    }

    /** The child's output; see {@link AdminServer.Actions#serviceLog}. */
    AdminServer.Reply log(String service, boolean stderr, int lines, OptionalLong from) {
        Set<String> services = loop.healer().services().keySet();
        if (!services.contains(service)) {
            return AdminServer.Reply.refused(404, "no service named '" + service + "'; services: "
                    + String.join(", ", services));
        }
        LogTail tail;
        try {
            tail = loop.supervisor().tail(service, stderr, lines, from);
        } catch (IOException e) {
            return AdminServer.Reply.refused(500, "cannot read the log of service " + service + ": " + e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", true);
        body.put("file", tail.file().toString());
        body.put("next", tail.next());
        body.put("text", tail.text());
        return new AdminServer.Reply(200, body);
    }

    AdminServer.Reply pause(Optional<String> service, String reason, Optional<Duration> expiry) {
        return request(service, new Observation.OperatorPaused(service, reason, expiry),
                service.orElse("the node") + " paused" + expiry.map(d -> " for " + Durations.format(d)).orElse(""));
    }

    AdminServer.Reply resume(Optional<String> service, String reason) {
        // Refused here rather than "resumed" while the healer ignores it: the answer must be true.
        ServiceStatus now = service.map(n -> loop.state().services().get(n)).orElse(null);
        if (now != null && now.pause().isEmpty() && now.state() != ServiceState.FATAL) {
            return AdminServer.Reply.refused(409, "service " + service.get() + " is neither paused nor FATAL (it is "
                    + now.state() + "); nothing to resume" + (now.stoppedBy().isPresent()
                    ? ": an operator stopped it; start it with haagent ctl start " + service.get() : ""));
        }
        return request(service, new Observation.OperatorResumed(service, reason),
                service.orElse("the node") + " resumed");
    }

    @Override
    public boolean started() {
        return loop != null;
    }

    @Override
    public void loops(List<Liveness.Loop> into) {
        HealLoop l = loop;
        if (l != null) {
            into.add(new Liveness.Loop("the heal loop", l.heartbeatNanos(), HealLoop.HEARTBEAT));
        }
    }

    /** Each service's state by name ({@code RUNNING}, {@code FATAL}, ...), for the load push's samples. */
    SequencedMap<String, String> loadView() {
        HealLoop l = loop;
        SequencedMap<String, String> m = new LinkedHashMap<>();
        if (l != null) {
            l.state().services().forEach((name, st) -> m.put(name, st.state().name()));
        }
        return m;
    }

    @Override
    public void status(Map<String, Object> into) {
        HealLoop l = loop;
        if (l == null) {
            return;
        }
        HealState s = l.state();
        long now = ticker.nanoTime();
        Instant wallNow = Instant.now();
        s.nodePause().ifPresent(p -> into.put("paused", pause(p, now, wallNow)));
        List<Map<String, Object>> services = new ArrayList<>();
        s.services().forEach((name, st) -> services.add(serviceStatus(l, name, st, now, wallNow)));
        into.put("services", services);
    }

    private static Map<String, Object> serviceStatus(HealLoop l, String name, ServiceStatus st, long now, Instant wallNow) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("state", st.state().name());
        m.put("since", Component.wallTime(st.sinceNanos(), now, wallNow));
        m.put("restarts", st.restarts().size());
        m.put("reason", st.stoppedBy().map(r -> "stopped by an operator: " + r)
                .orElse(st.reason().isEmpty() ? null : st.reason()));
        m.put("checks_down", st.checksDown());
        m.put("event_id", st.eventId().isEmpty() ? null : st.eventId());
        var pid = l.supervisor().pid(name);
        m.put("pid", pid.isPresent() ? pid.getAsLong() : null);
        m.put("stopped", st.stoppedBy().orElse(null));
        st.pause().ifPresent(p -> {
            m.put("paused", p.reason());
            m.put("paused_until", until(p, now, wallNow));
        });
        return m;
    }

    /** A node pause: why, and when it ends by itself (null: only {@code haagent resume} ends it). */
    private static Map<String, Object> pause(Pause p, long now, Instant wallNow) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reason", p.reason());
        m.put("since", Component.wallTime(p.sinceNanos(), now, wallNow));
        m.put("until", until(p, now, wallNow));
        return m;
    }

    private static String until(Pause p, long now, Instant wallNow) {
        return p.untilNanos().isPresent() ? wallNow.plusNanos(p.untilNanos().getAsLong() - now).toString() : null;
    }

    /** A planned agent restart: closing then leaves the children running for the next agent to adopt. */
    void leaveChildrenRunning() {
        if (loop != null) {
            loop.leaveChildrenRunning();
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
