package io.haagent.agent.daemon;

import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.mail.ActionLine;
import io.haagent.agent.mail.Mail;
import io.haagent.agent.mail.Mails;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.checker.CheckState;
import io.haagent.checker.CheckStatus;
import io.haagent.checker.probe.CheckResult;
import io.haagent.checker.probe.RedisReplication;
import io.haagent.config.CheckSpec;
import io.haagent.config.HostPort;
import io.haagent.config.HaagentConfig;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.actions.RoleActions;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.AdvertDrop;
import io.haagent.failover.vrrp.instance.InstanceStatus;
import io.haagent.failover.vrrp.instance.RunnerListener;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import io.haagent.failover.vrrp.instance.VrrpInstanceRunner;
import io.haagent.failover.vrrp.net.AdvertHub;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VRRP instances of the config: one runner each, sharing one socket per local endpoint. Tracked
 * check flips reach the instances that track them; a reload keeps unchanged instances running.
 *
 * <p>Each instance's role changes drive its {@link RoleActions} (promote or replicate the local Redis,
 * move the address) on the actions' own thread, hold the Redis service against restarts while MASTER
 * ({@link RedisServices}), and end in one mail per transition that lists the steps taken and their
 * timings. A refused or failed promotion puts the instance in FAULT through its promotion guard, which
 * lifts once the local Redis replicates the new master, or when an operator forces the promotion.
 */
final class Failover implements Component {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    private final AgentMetrics metrics;
    private final Ticker ticker;
    private final Supplier<Map<String, CheckState>> checkStates;
    private final AdvertHub hub;
    private final String host;
    private final Consumer<Mail> mail;
    private final BiConsumer<String, Optional<String>> hold;
    private final BiConsumer<String, String> knownDown;
    private final Map<String, Running> instances = new ConcurrentHashMap<>();
    /** The config's checks, to know which Redis a check result is about. */
    private volatile Map<String, CheckSpec> checks = Map.of();
    /** node.state_dir: state files, and what the role actions remember of the local Redis. */
    private volatile Path stateDir;
    /** Instances that could not start, with why: shown in /status until a reload starts or removes them. */
    private final Map<String, String> failed = new ConcurrentHashMap<>();

    /** How long the startup check waits for a Redis that does not answer yet (a supervised one is starting). */
    private static final Duration STARTUP_CHECK_PATIENCE = Duration.ofSeconds(60);

    /** The /status state of an instance that could not start (its {@code error} says why). */
    static final String NOT_RUNNING = "NOT_RUNNING";

    private record Running(VrrpInstance config, VrrpInstanceRunner runner, Listener listener) {}

    /** How often, and how long apart, a just-restarted Redis is asked to replicate until it answers (5 s in all). */
    private static final int RESTART_REPLICATE_TRIES = 25;
    private static final Duration RESTART_REPLICATE_RETRY = Duration.ofMillis(200);

    /** The least time between a refusal and its lifting by a check's observation. */
    private static final Duration GUARD_MIN_HOLD = Duration.ofSeconds(10);

    /** How often a refused instance tries to make its Redis a replica of the master it hears. */
    private static final Duration REPLICATE_WHILE_REFUSED_EVERY = Duration.ofSeconds(5);

    /** How long the new master has to promote its Redis before the old master's Redis may be restarted. */
    private static final Duration PROMOTION_SETTLE = Duration.ofSeconds(1);

    /**
     * Wakes what waits on time: the hand-overs ({@link Handover}) when they are due, and the retries of a restarted
     * Redis's replicate; one thread for all instances.
     */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("vrrp-failover-timer").unstarted(r));

    /**
     * @param checkStates the checks' current states, to seed an instance that starts while a tracked check is down
     * @param host        the node name the mails carry
     * @param mail        spools a mail and returns at once
     * @param hold        holds a service against restarts ({@code "vrrp redis-vip is MASTER"}) or releases it (empty)
     * @param knownDown   marks a check down at once, with why (the checks' {@code knownDown})
     */
    Failover(AgentMetrics metrics, Ticker ticker, Supplier<Map<String, CheckState>> checkStates, AdvertHub hub,
             String host, Consumer<Mail> mail, BiConsumer<String, Optional<String>> hold, BiConsumer<String, String> knownDown) {
        this.metrics = metrics;
        this.ticker = ticker;
        this.checkStates = checkStates;
        this.hub = hub;
        this.host = host;
        this.mail = mail;
        this.hold = hold;
        this.knownDown = knownDown;
    }

    @Override
    public void apply(HaagentConfig config, ReloadPlan plan) {
        checks = config.checks();
        stateDir = config.node().stateDir(); // changes only with a restart of haagent (ReloadPlan.needsRestart)
        List<String> stop = new ArrayList<>();
        List<String> start = new ArrayList<>();
        if (plan == null) {
            start.addAll(config.vrrp().keySet());
        } else {
            stop.addAll(plan.vrrp().removed());
            for (String name : plan.vrrp().changed()) {
                Running r = instances.get(name);
                if (r != null && plan.vrrpInPlace(name) && reconfigured(config, name, r)) {
                    continue;
                }
                if (r != null) {
                    stop.add(name);
                }
                start.add(name);
            }
            start.addAll(plan.vrrp().added());
            // An unchanged instance that could not start (its port was taken, say) is tried again: a reload is
            // what an operator does after fixing the cause.
            plan.vrrp().kept().stream().filter(failed::containsKey).forEach(start::add);
            for (String name : plan.vrrp().removed()) {
                if (failed.remove(name) != null) {
                    metrics.forget("instance", name);
                }
            }
        }
        for (String name : stop) {
            Running r = instances.remove(name);
            if (r != null) {
                List<String> identity = plan.vrrpRestarts().get(name);
                log.info("{}: stopping because a reload {} it", name, !plan.vrrp().changed().contains(name) ? "removed"
                        : identity != null ? "changed its identity (" + String.join(", ", identity) + "); starting it again"
                        : "changed it and it could not take the change in place");
                r.runner().close();
                r.listener().close();
                if (!plan.vrrp().changed().contains(name)) {
                    metrics.forget("instance", name);
                }
            }
        }
        // Each instance stands alone: one that cannot open its socket must not keep the others from electing.
        for (String name : start) {
            VrrpInstance vi = config.vrrp().get(name);
            try {
                Set<String> down = tracked(vi, CheckState.DOWN);
                Listener listener = new Listener(name, vi, RedisServices.heldBy(config, vi));
                VrrpInstanceRunner runner;
                try {
                    runner = VrrpInstanceRunner.start(name, vi, stateDir, hub, ticker, listener, down);
                } catch (IOException | RuntimeException e) {
                    listener.close();
                    throw e;
                }
                listener.runner = runner;
                instances.put(name, new Running(vi, runner, listener));
                listener.checkAtStartup();
                if (failed.remove(name) != null) {
                    log.info("{}: started after all", name);
                }
            } catch (IOException | RuntimeException e) {
                // RuntimeException too: the hub refuses a vrid already registered on the endpoint with an
                // IllegalStateException, and nothing one instance throws may stop the daemon or the others.
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                log.error("{}: not started: {}; the other parts of the daemon run on; fix it and reload", name, why);
                failed.put(name, why);
                metrics.vrrpState(name, -1);
            }
        }
    }

        /** The checks {@code vi} tracks that are in {@code state} now. */
    private Set<String> tracked(VrrpInstance vi, CheckState state) {
        Map<String, CheckState> states = checkStates.get();
        return vi.track().stream().map(VrrpInstance.Track::check)
                .filter(c -> states.get(c) == state).collect(Collectors.toSet());
    }

    /**
     * A reload changed instance {@code name} but not its identity: it takes the new settings in place and keeps
     * its election (the runner logs the one sentence). False when it could not, and must be restarted instead.
     */
    private boolean reconfigured(HaagentConfig config, String name, Running r) {
        VrrpInstance vi = config.vrrp().get(name);
        try {
            // the role actions first: a transition the new tracking causes runs the new ones
            r.listener().reconfigure(vi, RedisServices.heldBy(config, vi));
            r.runner().reconfigure(vi, tracked(vi, CheckState.DOWN), tracked(vi, CheckState.UNKNOWN));
        } catch (RuntimeException e) {
            log.error("{}: could not take the reload's change in place ({}); restarting it", name, e.getMessage());
            return false;
        }
        instances.put(name, new Running(vi, r.runner(), r.listener()));
        return true;
    }

    /**
     * The operator accepts the data loss a refused promotion warned of: the guard lifts, and the next
     * promotion of {@code name} skips it.
     */
    AdminServer.Reply forcePromotion(String name, String reason) {
        Running r = instances.get(name);
        if (r == null) {
            return AdminServer.Reply.refused(404, failed.containsKey(name) ? name + " is not running: " + failed.get(name)
                    : "no VRRP instance " + name + (instances.isEmpty() ? "" : "; there are " + String.join(", ",
                    new TreeSet<>(instances.keySet()))));
        }
        if (r.config().onMaster().redisPromote().isEmpty()) {
            return AdminServer.Reply.refused(409, name + " promotes no Redis (no on_master.redis_promote): nothing to force");
        }
        return r.listener().force(reason);
    }

    /**
     * A supervised child exited on its own. When it runs the Redis of an instance, that instance's faulting
     * checks are down now: the failover starts at once instead of after {@code fall} failed runs. Any thread.
     */
    void processExited(String service, String what) {
        Set<String> down = new TreeSet<>();
        for (Running r : instances.values()) {
            down.addAll(r.listener().holds.getOrDefault(service, List.of()));
        }
        down.forEach(check -> knownDown.accept(check, "service " + service + ": " + what));
    }

    /**
     * A check ran. A {@code redis} check of a Redis that an instance promotes, showing it a replica with the link
     * up, lifts that instance's promotion guard: the Redis follows a master again, whoever made it (hostile run,
     * fault 3: a standby whose promotion failed stayed FAULT with its Redis replicating, because only a replicate
     * action lifted the guard, and none runs in FAULT while the master is unknown). Any thread.
     */
    void checkObserved(CheckStatus status) {
        if (!(status.last().flatMap(CheckResult::replication).orElse(null) instanceof RedisReplication repl)
                || repl.role() != RedisReplication.Role.REPLICA || !repl.masterLinkUp() || repl.master().isEmpty()) {
            return;
        }
        for (Running r : instances.values()) {
            Optional<VrrpInstance.RedisPromote> promote = r.config().onMaster().redisPromote();
            if (promote.isPresent() && checks.get(status.name()) instanceof CheckSpec.Redis spec && promote.get().isProbedBy(spec)) {
                r.listener().replicating(repl.master().get(), status.name());
            }
        }
    }

    /**
     * A service was (re)started. When it runs the Redis of an instance that is not MASTER here, that Redis starts
     * as a replica of the current master at once — restarted from a config the last promotion rewrote, it comes
     * back an empty master, which must not stay one until the instance is BACKUP again. Any thread.
     */
    void serviceStarted(String service) {
        for (Running r : instances.values()) {
            if (r.listener().holds.containsKey(service)) {
                r.listener().redisRestarted();
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
        Set<String> names = new TreeSet<>(instances.keySet());
        names.addAll(failed.keySet());
        for (String name : names) {
            Running r = instances.get(name);
            if (r == null) {
                String why = failed.get(name);
                if (why != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", name);
                    m.put("state", NOT_RUNNING);
                    m.put("running", false);
                    m.put("error", why);
                    list.add(m);
                }
                continue;
            }
            InstanceStatus s = r.runner().status();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("state", s.state().name());
            m.put("running", true);
            m.put("since", Component.wallTime(s.sinceNanos(), now, wallNow));
            m.put("priority", s.priority());
            m.put("configured_priority", s.configuredPriority());
            m.put("master", s.master().map(Object::toString).orElse(null));
            m.put("event_id", s.lastEventId().isEmpty() ? null : s.lastEventId());
            m.put("transitions", s.transitions());
            m.put("adverts_sent", s.advertsSent());
            m.put("adverts_received", s.advertsReceived());
            m.put("drops", s.drops());
            m.put("send_errors", s.sendErrors());
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
            r.listener().status(m);
            list.add(m);
        }
        into.put("vrrp", list);
    }

    @Override
    public void close() {
        // Every MASTER sends its priority-0 advert here, so the peers take over after the skew time.
        instances.values().parallelStream().forEach(r -> {
            r.runner().close();
            r.listener().close(); // after the runner: its STOP transition releases the address
        });
        instances.clear();
        failed.clear();
        hub.close();
        timer.shutdownNow();
    }

    /**
     * One instance's reports, on its runner's thread (which also sends the adverts, so nothing here
     * blocks): metrics, the hold on the Redis service, and the role actions, whose reports come back on
     * the actions' thread and become log lines, mail and the promotion guard.
     */
    private final class Listener implements RunnerListener, RoleActions.Listener, AutoCloseable {
        private final String name;
        /** The services held while MASTER, each with its checks that fault the instance; a reload replaces it. */
        volatile Map<String, List<String>> holds;
        private volatile VrrpInstance config;
        private final RoleActions actions;
        volatile VrrpInstanceRunner runner;
        /** While this node hands MASTER over (see {@link Handover}); null otherwise. */
        private final AtomicReference<Handover> handover = new AtomicReference<>();
        private volatile Duration handoverTimeout;
        /** Why the promotion guard holds the instance in FAULT; null while it does not. */
        private volatile String guardDown;
        private volatile RoleActions.Report lastReport;
        /** The master that took over from this node the last time it handed MASTER over. */
        private volatile Ipv4 lastNewMaster;
        /** The master a restarted Redis is being made a replica of, while that is being tried; null otherwise. */
        private volatile Ipv4 restartReplicating;
        private volatile int restartReplicateTries;
        /** When the guard last went down. */
        private volatile long guardDownSinceNanos;
        /** When {@link #replicateWhileRefused} last queued a replicate (0: never). */
        private volatile long lastReplicateWhileRefusedNanos;

        Listener(String name, VrrpInstance config, Map<String, List<String>> holds) {
            this.name = name;
            this.holds = holds;
            this.config = config;
            this.handoverTimeout = handoverTimeout(config);
            this.actions = RoleActions.of(name, config, stateDir, this);
        }

        /** Three master-down intervals (3 adverts + skew each), at least 5 s: time for any peer to take over. */
        private static Duration handoverTimeout(VrrpInstance config) {
            return Duration.ofMillis(Math.max(5000, 3 * (3 * config.advertInterval().toMillis() + 1000)));
        }

        /**
         * A reload's settings, before the runner takes them: the role actions take a changed {@code on_master} or
         * {@code on_backup} on their own thread (see {@link RoleActions#reconfigure}), a guard with no Redis left to
         * promote lifts, and the new set of held services is held now if this node is MASTER, released if no
         * longer held.
         */
        void reconfigure(VrrpInstance next, Map<String, List<String>> nextHolds) {
            VrrpInstance before = config;
            if (!before.onMaster().equals(next.onMaster()) || !before.onBackup().equals(next.onBackup())) {
                VrrpInstanceRunner r = runner;
                actions.reconfigure(next, stateDir, r == null ? Optional.empty() : r.lastEvent());
            }
            if (next.onMaster().redisPromote().isEmpty() && guardDown != null) {
                guardUp("a reload removed on_master.redis_promote");
            }
            Map<String, List<String>> was = holds;
            holds = nextHolds;
            boolean master = runner != null && runner.status().state() == VrrpState.MASTER;
            was.keySet().stream().filter(service -> !nextHolds.containsKey(service))
                    .forEach(service -> hold.accept(service, Optional.empty()));
            if (master) {
                nextHolds.keySet().stream().filter(service -> !was.containsKey(service))
                        .forEach(service -> hold.accept(service, Optional.of("vrrp " + name + " is MASTER")));
            }
            config = next;
            handoverTimeout = handoverTimeout(next);
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
            metrics.vrrpState(e.instance(), e.to().code());
            metrics.vrrpTransition(e.instance(), e.to().name());
            if (e.to() == VrrpState.MASTER) {
                handover.set(null);
                holds.keySet().forEach(service -> hold.accept(service, Optional.of("vrrp " + name + " is MASTER")));
            } else if (e.from() == VrrpState.MASTER && !holds.isEmpty()) {
                startHandover(e);
            }
            if (actions.hasActions()) {
                actions.transitioned(e); // mailed with its steps when they are done
            } else if (e.to() != VrrpState.INIT) {
                mail.accept(Mails.vrrpTransition(host, e, List.of()));
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
            if (guardDown != null && priority > 0) {
                replicateWhileRefused(peer);
            }
            Handover before = handover.get();
            if (before == null) {
                return;
            }
            long now = ticker.nanoTime();
            if (handover.compareAndSet(before, before.heard(peer, priority, now)) && handover.get() != before) {
                decideHandover(); // only a master advertises: the peer has taken over
            }
        }

        /** This node left MASTER: its Redis service stays held until {@link Handover} releases it. */
        private void startHandover(VrrpEvent left) {
            handover.set(Handover.left(ticker.nanoTime(), left.eventId()));
            decideHandover();
        }

        /** Releases the held services when the hand-over says so, else comes back when it is due. Any thread. */
        private void decideHandover() {
            Handover h = handover.get();
            if (h == null) {
                return;
            }
            long now = ticker.nanoTime();
            switch (h.decide(now, PROMOTION_SETTLE, handoverTimeout)) {
                case Handover.Verdict.Release r -> {
                    lastNewMaster = h.newMaster().orElse(null); // none took over: no master to follow, not an old one
                    if (handover.compareAndSet(h, null)) {
                        log.info("({}) releasing {} for healing: {} [event {}]", name, String.join(", ", holds.keySet()),
                                r.reason(), h.eventId());
                        holds.keySet().forEach(service -> hold.accept(service, Optional.empty()));
                    }
                }
                case Handover.Verdict.Wait w -> {
                    try {
                        timer.schedule(this::decideHandover, Math.max(0, w.wakeAtNanos() - now), TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        // shutting down: the holds end with the listener
                    }
                }
            }
        }

        @Override
        public void advertDropped(String instance, AdvertDrop reason) {
            metrics.vrrpAdvertDropped(instance, reason.label());
        }

        @Override
        public void advertSent(String instance) {
            metrics.vrrpAdvertSent(instance);
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
            report.refusal().ifPresent(this::guardDown);
            retryRestartReplicate(report);
            if (guardDown != null && report.refusal().isEmpty() && report.succeeded(RoleActions.Kind.REDIS_REPLICATE)) {
                guardUp("the local Redis replicates the master again");
            }
            if (report.trigger() instanceof RoleActions.Trigger.Transition t && t.to() != VrrpState.INIT) {
                List<ActionLine> steps = report.outcomes().stream()
                        .map(o -> new ActionLine(o.action(), o.ok() ? "ok: " + o.sentence() : "failed: " + o.sentence(),
                                o.took()))
                        .toList();
                mail.accept(Mails.vrrpTransition(host, report.event(), steps));
            }
        }

        /**
         * Refused into FAULT, the instance ignores adverts, so no replicate action would ever run and the guard would
         * hold for good (hostile run, faults 3 and 4). A peer advertising with a priority is MASTER: the local Redis
         * replicates it — the live master's data wins — and the guard lifts once that succeeds. At most every
         * {@link #REPLICATE_WHILE_REFUSED_EVERY}, on the runner's thread (it only queues the action).
         */
        private void replicateWhileRefused(Ipv4 master) {
            long now = ticker.nanoTime();
            VrrpInstanceRunner r = runner;
            if (r == null || now - lastReplicateWhileRefusedNanos < REPLICATE_WHILE_REFUSED_EVERY.toNanos()
                    && lastReplicateWhileRefusedNanos != 0) {
                return;
            }
            lastReplicateWhileRefusedNanos = now;
            r.lastEvent().ifPresent(e -> {
                log.info("({}) promotion refused, and {} is MASTER: making the local Redis its replica [event {}]", name,
                        master, e.eventId());
                actions.masterLearned(e, master);
            });
        }

        /** The local Redis was restarted by healing: unless this node is MASTER, it replicates the current master now. */
        void redisRestarted() {
            VrrpInstanceRunner r = runner;
            if (r == null || r.status().state() == VrrpState.MASTER || r.status().state() == VrrpState.INIT
                    || r.lastEvent().isEmpty()) {
                return;
            }
            Optional<Ipv4> master = r.status().master().or(() -> Optional.ofNullable(lastNewMaster));
            if (master.isEmpty()) {
                return;
            }
            log.info("({}) the restarted Redis starts as a replica of the current master {} [event {}]", name, master.get(),
                    r.lastEvent().get().eventId());
            restartReplicating = master.get();
            restartReplicateTries = 0;
            actions.masterLearned(r.lastEvent().get(), master.get());
        }

        /** A replicate of a just-restarted Redis failed (it may not listen yet): again shortly, a bounded number of times. */
        private void retryRestartReplicate(RoleActions.Report report) {
            Ipv4 master = restartReplicating;
            if (master == null || !(report.trigger() instanceof RoleActions.Trigger.MasterLearned m) || !m.master().equals(master)) {
                return;
            }
            if (report.succeeded(RoleActions.Kind.REDIS_REPLICATE) || ++restartReplicateTries > RESTART_REPLICATE_TRIES) {
                restartReplicating = null;
                return;
            }
            try {
                timer.schedule(() -> {
                    if (restartReplicating != null) {
                        actions.masterLearned(report.event(), master);
                    }
                }, RESTART_REPLICATE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }

        /**
         * A check saw the local Redis replicate {@code master} with the link up. Not within
         * {@link #GUARD_MIN_HOLD} of the refusal: a promotion that fails for good (a wrong password in
         * {@code redis_promote}) would otherwise flap the role at every check of a replica that is fine.
         */
        synchronized void replicating(HostPort master, String check) {
            if (guardDown != null && ticker.nanoTime() - guardDownSinceNanos >= GUARD_MIN_HOLD.toNanos()) {
                guardUp("the local Redis replicates " + master + " with the link up (check " + check + ")");
            }
        }

        // synchronized: the actions thread, the checker's and an operator's request may lift or drop it at once
        private synchronized void guardDown(String why) {
            guardDown = why;
            guardDownSinceNanos = ticker.nanoTime();
            log.error("({}) giving MASTER up: {}; it returns when the local Redis replicates the new master, or force it with"
                    + " POST /vrrp/{}/promote", name, why, name);
            VrrpInstanceRunner r = runner;
            if (r != null) {
                r.promotionGuard(true, why);
            }
        }

        private synchronized void guardUp(String why) {
            if (guardDown == null) {
                return; // lifted already, by another of its ways
            }
            guardDown = null;
            log.info("({}) promotion guard lifted: {}", name, why);
            VrrpInstanceRunner r = runner;
            if (r != null) {
                r.promotionGuard(false, why);
            }
        }

        synchronized AdminServer.Reply force(String reason) {
            actions.forceNextPromotion();
            log.warn("({}) an operator forces the next promotion past the guard: {}", name, reason);
            String was = guardDown;
            if (was != null) {
                guardUp("an operator forced it: " + reason);
            }
            return new AdminServer.Reply(200, Map.of("ok", true, "message", "the next promotion of " + name
                    + " skips the data-loss guard" + (was == null ? "" : "; it had refused: " + was)));
        }

        void status(Map<String, Object> into) {
            into.put("promotion_refused", guardDown);
            RoleActions.Report r = lastReport;
            if (r == null) {
                return;
            }
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("trigger", r.trigger().describe());
            last.put("event_id", r.event().eventId());
            List<Map<String, Object>> steps = new ArrayList<>();
            for (RoleActions.Outcome o : r.outcomes()) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("action", o.action());
                step.put("ok", o.ok());
                step.put("result", o.sentence());
                step.put("took_ms", o.took().toMillis());
                steps.add(step);
            }
            last.put("steps", steps);
            into.put("last_actions", last);
        }

        @Override
        public void close() {
            actions.close();
            handover.set(null);
            holds.keySet().forEach(service -> hold.accept(service, Optional.empty()));
        }
    }
}
