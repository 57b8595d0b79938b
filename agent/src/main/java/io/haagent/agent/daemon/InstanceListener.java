package io.haagent.agent.daemon;

import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.mail.ActionLine;
import io.haagent.agent.mail.Mail;
import io.haagent.agent.mail.Mails;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.HostPort;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.actions.RoleActions;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.AdvertDrop;
import io.haagent.failover.vrrp.instance.RunnerListener;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import io.haagent.failover.vrrp.instance.VrrpInstanceRunner;
import io.haagent.time.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's reports, on its runner's thread (which also sends the adverts, so nothing here
 * blocks): metrics, the hold on the Redis service ({@link HandoverWatch}), and the role actions, whose reports come
 * back on the actions' thread and become log lines, mail and the {@link PromotionGuard}.
 */
final class InstanceListener implements RunnerListener, RoleActions.Listener, AutoCloseable {
    // one logger for the failover's sentences, whichever class says them
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    /** How long the startup check waits for a Redis that does not answer yet (a supervised one is starting). */
    private static final Duration STARTUP_CHECK_PATIENCE = Duration.ofSeconds(60);

    /**
     * What the failover gives the listeners of all its instances.
     *
     * @param timer wakes the hand-overs and the retries of a restarted Redis's replicate; one thread for all
     * @param host  the node name the mails carry
     * @param mail  spools a mail and returns at once
     * @param hold  holds a service against restarts ({@code "vrrp redis-vip is MASTER"}) or releases it (empty)
     */
    record Shared(AgentMetrics metrics, Ticker ticker, ScheduledExecutorService timer, String host, Consumer<Mail> mail,
                  BiConsumer<String, Optional<String>> hold) {}

    private final String name;
    private final Shared shared;
    /** The services held while MASTER, each with its checks that fault the instance; a reload replaces it. */
    private volatile Map<String, List<String>> holds;
    private volatile VrrpInstance config;
    private final RoleActions actions;
    private volatile VrrpInstanceRunner runner;
    private final PromotionGuard guard;
    private final HandoverWatch handover;
    private final RestartedRedis restartedRedis;
    private volatile RoleActions.Report lastReport;

    /** @param stateDir node.state_dir: what the role actions remember of the local Redis */
    InstanceListener(String name, VrrpInstance config, Map<String, List<String>> holds, Path stateDir, Shared shared) {
        this.name = name;
        this.shared = shared;
        this.holds = holds;
        this.config = config;
        this.handover = new HandoverWatch(config, shared.ticker(), shared.timer(), this::release);
        this.actions = RoleActions.of(name, config, stateDir, this);
        this.guard = new PromotionGuard(name, shared.ticker(), () -> runner, actions);
        this.restartedRedis = new RestartedRedis(name, () -> runner, handover::lastNewMaster, actions, shared.timer());
        // Before the runner starts: its first transition already counts.
        shared.metrics().vrrpInstance(name, config.vrid(), config.iface().orElse(""), () -> {
            VrrpInstanceRunner r = runner;
            return r == null ? this.config.priority() : r.status().priority();
        }, () -> {
            VrrpInstanceRunner r = runner;
            return r == null ? this.config.priority() : r.status().configuredPriority();
        });
    }

    /** The runner this listener reports on, once started: the guard and the re-assertions act on it. */
    void attach(VrrpInstanceRunner runner) {
        this.runner = runner;
        actions.fenceWith(runner::fence); // behind a lease, each irreversible step asks it first
    }

    /** The services held while MASTER, each with its checks that fault the instance. */
    Map<String, List<String>> holds() {
        return holds;
    }

    /**
     * A reload's settings, before the runner takes them: the role actions take a changed {@code on_master} or
     * {@code on_backup} on their own thread (see {@link RoleActions#reconfigure}), a guard with no Redis left to
     * promote lifts, and the new set of held services is held now if this node is MASTER, released if no
     * longer held.
     */
    void reconfigure(VrrpInstance next, Map<String, List<String>> nextHolds, Path stateDir) {
        VrrpInstance before = config;
        if (!before.onMaster().equals(next.onMaster()) || !before.onBackup().equals(next.onBackup())) {
            VrrpInstanceRunner r = runner;
            actions.reconfigure(next, stateDir, r == null ? Optional.empty() : r.lastEvent());
        }
        if (next.onMaster().redisPromote().isEmpty() && guard.isDown()) {
            guard.up("a reload removed on_master.redis_promote");
        }
        Map<String, List<String>> was = holds;
        holds = nextHolds;
        boolean master = runner != null && runner.status().state() == VrrpState.MASTER;
        was.keySet().stream().filter(service -> !nextHolds.containsKey(service))
                .forEach(service -> shared.hold().accept(service, Optional.empty()));
        if (master) {
            nextHolds.keySet().stream().filter(service -> !was.containsKey(service))
                    .forEach(service -> shared.hold().accept(service, Optional.of("vrrp " + name + " is MASTER")));
        }
        config = next;
        handover.reconfigure(next);
    }

    /** Problems that would only show at failover (a Redis that cannot rewrite its config), said now. */
    void checkAtStartup() {
        if (actions.hasActions()) {
            Thread.ofVirtual().name("vrrp-" + name + "-startup-check").start(() -> {
                try {
                    actions.startupFindings(STARTUP_CHECK_PATIENCE)
                            .forEach(f -> log.warn("({}) {}; a failover would meet this, so fix it now", name, f));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @Override
    public void transitioned(VrrpEvent e) {
        shared.metrics().vrrpState(e.instance(), e.to().code());
        shared.metrics().vrrpTransition(e.instance(), e.to().name());
        if (e.to() == VrrpState.MASTER) {
            handover.cancel();
            holds.keySet().forEach(service -> shared.hold().accept(service, Optional.of("vrrp " + name + " is MASTER")));
        } else if (e.from() == VrrpState.MASTER && !holds.isEmpty()) {
            handover.left(e.eventId());
        }
        if (actions.hasActions()) {
            actions.transitioned(e); // mailed with its steps when they are done
        } else if (e.to() != VrrpState.INIT) {
            shared.mail().accept(Mails.vrrpTransition(shared.host(), e, List.of()));
        }
    }

    @Override
    public void masterLearned(VrrpEvent e, Ipv4 master) {
        actions.masterLearned(e, master);
    }

    @Override
    public void reassertMaster(String instance, Ipv4 lowerPeer, int peerPriority, int ourPriority) {
        VrrpInstanceRunner r = runner;
        if (r == null) {
            return;
        }
        log.warn("({}) MASTER heard {} claim MASTER with priority {} < {}: re-asserting the address", name,
                lowerPeer, peerPriority, ourPriority);
        r.lastEvent().ifPresent(e -> actions.reassert(e, lowerPeer));
    }

    @Override
    public void advertReceived(String instance, Ipv4 peer, int priority) {
        shared.metrics().vrrpAdvertReceived(instance, priority);
        guard.advertHeard(peer, priority);
        handover.heard(peer, priority);
    }

    /** The hand-over let the held services go (any thread). */
    private void release(String reason, String eventId) {
        log.info("({}) releasing {} for healing: {} [event {}]", name, String.join(", ", holds.keySet()), reason, eventId);
        holds.keySet().forEach(service -> shared.hold().accept(service, Optional.empty()));
    }

    @Override
    public void advertDropped(String instance, AdvertDrop reason) {
        shared.metrics().vrrpAdvertDropped(instance, reason.label());
    }

    @Override
    public void advertSent(String instance, int priority) {
        shared.metrics().vrrpAdvertSent(instance, priority);
    }

    /** A role action is done (actions thread). */
    @Override
    public void done(RoleActions.Report report) {
        lastReport = report;
        String id = report.event().eventId();
        for (RoleActions.Outcome o : report.outcomes()) {
            if (o.ok()) {
                // the sentence names its subject ("redis 127.0.0.1:6379: promoted ...", "local 10.0.1.100/24 on eth0: added ...")
                log.info("({}) {} ({} ms) [event {}]", name, o.sentence(), o.took().toMillis(), id);
            } else {
                log.error("({}) {} failed after {} ms: {} [event {}]", name, o.action(), o.took().toMillis(),
                        o.sentence(), id);
            }
        }
        report.refusal().ifPresent(guard::down);
        restartedRedis.reported(report);
        if (guard.isDown() && report.refusal().isEmpty() && report.succeeded(RoleActions.Kind.REDIS_REPLICATE)) {
            guard.up("the local Redis replicates the master again");
        }
        if (report.trigger() instanceof RoleActions.Trigger.Transition t && t.to() != VrrpState.INIT) {
            List<ActionLine> steps = report.outcomes().stream()
                    .map(o -> new ActionLine(o.action(), o.ok() ? "ok: " + o.sentence() : "failed: " + o.sentence(),
                            o.took()))
                    .toList();
            shared.mail().accept(Mails.vrrpTransition(shared.host(), report.event(), steps));
        }
    }

    /** The local Redis was restarted by healing: unless this node is MASTER, it replicates the current master now. */
    void redisRestarted() {
        restartedRedis.restarted();
    }

    /** A check saw the local Redis replicate {@code master} with the link up: the guard may lift. */
    void replicating(HostPort master, String check) {
        guard.replicating(master, check);
    }

    /** An operator forces the next promotion past the guard. */
    AdminServer.Reply force(String reason) {
        return ForcePromotionReplies.forced(name, guard.force(reason));
    }

    /** Role actions are queued or under way, however they end (load push). */
    boolean actionsRunning() {
        return actions.busy();
    }

    void status(Map<String, Object> into) {
        FailoverStatusJson.addFailover(into, guard.refusal(), lastReport);
    }

    @Override
    public void close() {
        actions.close();
        handover.cancel();
        holds.keySet().forEach(service -> shared.hold().accept(service, Optional.empty()));
    }
}
