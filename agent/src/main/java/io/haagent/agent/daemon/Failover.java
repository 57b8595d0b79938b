package io.haagent.agent.daemon;

import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.checker.CheckState;
import io.haagent.config.HaagentConfig;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.vrrp.instance.AdvertDrop;
import io.haagent.failover.vrrp.instance.InstanceStatus;
import io.haagent.failover.vrrp.instance.RunnerListener;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import io.haagent.failover.vrrp.instance.VrrpInstanceRunner;
import io.haagent.failover.vrrp.net.AdvertHub;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VRRP instances of the config: one runner each, sharing one socket per local endpoint. Tracked
 * check flips reach the instances that track them; a reload keeps unchanged instances running.
 */
final class Failover implements Component {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    private final AgentMetrics metrics;
    private final Ticker ticker;
    private final Supplier<Map<String, CheckState>> checkStates;
    private final AdvertHub hub;
    private final Map<String, Running> instances = new ConcurrentHashMap<>();

    private record Running(VrrpInstance config, VrrpInstanceRunner runner) {}

    /** @param checkStates the checks' current states, to seed an instance that starts while a tracked check is down */
    Failover(AgentMetrics metrics, Ticker ticker, Supplier<Map<String, CheckState>> checkStates, AdvertHub hub) {
        this.metrics = metrics;
        this.ticker = ticker;
        this.checkStates = checkStates;
        this.hub = hub;
    }

    @Override
    public void apply(HaagentConfig config, ReloadPlan plan) {
        Path stateDir = config.node().stateDir();
        List<String> stop = new ArrayList<>();
        List<String> start = new ArrayList<>();
        if (plan == null) {
            start.addAll(config.vrrp().keySet());
        } else {
            stop.addAll(plan.vrrp().removed());
            stop.addAll(plan.vrrp().changed());
            start.addAll(plan.vrrp().changed());
            start.addAll(plan.vrrp().added());
        }
        for (String name : stop) {
            Running r = instances.remove(name);
            if (r != null) {
                log.info("{}: stopping because a reload {} it", name,
                        plan.vrrp().changed().contains(name) ? "changed" : "removed");
                r.runner().close();
                if (!plan.vrrp().changed().contains(name)) {
                    metrics.forget("instance", name);
                }
            }
        }
        // Each instance stands alone: one that cannot open its socket must not keep the others from electing.
        for (String name : start) {
            VrrpInstance vi = config.vrrp().get(name);
            try {
                Map<String, CheckState> states = checkStates.get();
                Set<String> down = vi.track().stream().map(VrrpInstance.Track::check)
                        .filter(c -> states.get(c) == CheckState.DOWN).collect(Collectors.toSet());
                VrrpInstanceRunner runner = VrrpInstanceRunner.start(name, vi, stateDir, hub, ticker, new Listener(), down);
                instances.put(name, new Running(vi, runner));
            } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                log.error("{}: not started: {}", name, e.getMessage());
                metrics.vrrpState(name, -1);
            }
        }
    }

    /** A check flipped: every instance that tracks it hears of it. Any thread. */
    void checkChanged(String check, CheckState to) {
        if (to == CheckState.UNKNOWN) {
            return;
        }
        for (Running r : instances.values()) {
            if (r.config().track().stream().anyMatch(t -> t.check().equals(check))) {
                r.runner().trackedCheck(check, to == CheckState.UP);
            }
        }
    }

    @Override
    public void status(Map<String, Object> into) {
        long now = ticker.nanoTime();
        Instant wallNow = Instant.now();
        List<Map<String, Object>> list = new ArrayList<>();
        for (String name : instances.keySet().stream().sorted().toList()) {
            Running r = instances.get(name);
            if (r == null) {
                continue;
            }
            InstanceStatus s = r.runner().status();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("state", s.state().name());
            m.put("since", Component.wallTime(s.sinceNanos(), now, wallNow));
            m.put("priority", s.priority());
            m.put("configured_priority", s.configuredPriority());
            m.put("master", s.master().map(Object::toString).orElse(null));
            m.put("event_id", s.lastEventId().isEmpty() ? null : s.lastEventId());
            m.put("transitions", s.transitions());
            m.put("adverts_sent", s.advertsSent());
            m.put("adverts_received", s.advertsReceived());
            m.put("drops", s.drops());
            List<Map<String, Object>> peers = new ArrayList<>();
            for (InstanceStatus.PeerStatus p : s.peers()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("address", p.address().toString());
                pm.put("last_heard", p.lastHeardNanos().isPresent()
                        ? Component.wallTime(p.lastHeardNanos().getAsLong(), now, wallNow) : null);
                pm.put("priority", p.lastPriority().isPresent() ? p.lastPriority().getAsInt() : null);
                peers.add(pm);
            }
            m.put("peers", peers);
            list.add(m);
        }
        into.put("vrrp", list);
    }

    @Override
    public void close() {
        // Every MASTER sends its priority-0 advert here, so the peers take over after the skew time.
        instances.values().parallelStream().forEach(r -> r.runner().close());
        instances.clear();
        hub.close();
    }

    /** What the runners report, on their own threads: turned into metrics (mail and Redis steps come later). */
    private final class Listener implements RunnerListener {
        @Override
        public void transitioned(VrrpEvent e) {
            metrics.vrrpState(e.instance(), e.to().code());
            metrics.vrrpTransition(e.instance(), e.to().name());
        }

        @Override
        public void advertDropped(String instance, AdvertDrop reason) {
            metrics.vrrpAdvertDropped(instance, reason.label());
        }

        @Override
        public void advertSent(String instance) {
            metrics.vrrpAdvertSent(instance);
        }
    }
}
