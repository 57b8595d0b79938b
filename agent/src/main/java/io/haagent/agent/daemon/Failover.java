package io.haagent.agent.daemon;

import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.load.HaView;
import io.haagent.agent.mail.Mail;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.agent.systemd.Liveness;
import io.haagent.checker.CheckState;
import io.haagent.checker.CheckStatus;
import io.haagent.checker.probe.CheckResult;
import io.haagent.checker.probe.RedisReplication;
import io.haagent.config.CheckSpec;
import io.haagent.config.HaagentConfig;
import io.haagent.config.VrrpInstance;
import io.haagent.config.ZookeeperConfig;
import io.haagent.failover.lease.LeaseParams;
import io.haagent.failover.redis.RedisWritePause;
import io.haagent.failover.vrrp.instance.LeaseSetup;
import io.haagent.failover.zookeeper.ZkCoordination;
import io.haagent.failover.actions.RoleActions;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.VrrpInstanceRunner;
import io.haagent.failover.vrrp.net.AdvertHub;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.TreeMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * timings. A refused or failed promotion puts the instance in FAULT through its {@link PromotionGuard}, which
 * lifts once the local Redis replicates the new master, or when an operator forces the promotion. Each instance's
 * {@link InstanceListener} does all that; this class starts, reconfigures and stops the instances, and hands each
 * the news of checks, services and operators that concerns it.
 */
final class Failover implements Component {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    private final AgentMetrics metrics;
    private final Ticker ticker;
    private final Supplier<Map<String, CheckState>> checkStates;
    private final AdvertHub hub;
    private final BiConsumer<String, String> knownDown;
    /** What every instance's listener is given. */
    private final InstanceListener.Shared shared;
    private final Map<String, Running> instances = new ConcurrentHashMap<>();
    /** The config's checks, to know which Redis a check result is about. */
    private volatile Map<String, CheckSpec> checks = Map.of();
    /** node.state_dir: state files, and what the role actions remember of the local Redis. */
    private volatile Path stateDir;
    /** Instances that could not start, with why: shown in /status until a reload starts or removes them. */
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    /** Instances whose planned switchover runs now: one at a time each. */
    private final Set<String> switching = ConcurrentHashMap.newKeySet();
    /**
     * The operator's reason for draining the node ({@code node drain}), until {@code node resume}; an instance started
     * meanwhile is drained too. Kept in {@code state_dir/drained} as well, so that a drain outlives the agent (an
     * upgrade restarts it: the node must not take a MASTER role back on its own).
     */
    private volatile Optional<String> drained = Optional.empty();
    private static final String DRAIN_FILE = "drained";
    /** A planned agent restart: closing hands each MASTER over to the next agent instead of to the peer. */
    private volatile boolean handOverOnClose;
    private final String host;
    /**
     * {@code coordination.zookeeper} as the daemon started with it, and its one session, which holds the lease of every
     * instance in {@code lease_for}; a reload does not change them (ReloadPlan: the next restart does).
     */
    private volatile Optional<ZookeeperConfig> zookeeper = Optional.empty();
    private volatile Optional<ZkCoordination> coordination = Optional.empty();

    private record Running(VrrpInstance config, VrrpInstanceRunner runner, InstanceListener listener) {}

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
        this.knownDown = knownDown;
        this.host = host;
        this.shared = new InstanceListener.Shared(metrics, ticker, timer, host, mail, hold);
    }

    @Override
    public void apply(HaagentConfig config, ReloadPlan plan) {
        checks = config.checks();
        stateDir = config.node().stateDir(); // changes only with a restart of haagent (ReloadPlan.needsRestart)
        List<String> stop = new ArrayList<>();
        List<String> start = new ArrayList<>();
        if (plan == null) {
            start.addAll(config.vrrp().keySet());
            drained = recordedDrain(stateDir); // before any instance starts: none may elect itself meanwhile
            drained.ifPresent(reason -> log.info("node still drained after an agent restart ({}): no VRRP instance"
                    + " becomes MASTER and healing stays paused until haagent ctl node undrain", whyDrained(reason)));
            zookeeper = config.zookeeper();
            // connects in the background: the daemon starts while ZooKeeper is down, and no leased instance is MASTER
            coordination = zookeeper.map(zk -> ZkCoordination.start(zk, host, ticker));
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
                    metrics.forget(AgentMetrics.VRRP_INSTANCE, name);
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
                    metrics.forget(AgentMetrics.VRRP_INSTANCE, name);
                }
            }
        }
        // Each instance stands alone: one that cannot open its socket must not keep the others from electing.
        for (String name : start) {
            VrrpInstance vi = config.vrrp().get(name);
            try {
                Set<String> down = tracked(vi, CheckState.DOWN);
                InstanceListener listener = new InstanceListener(name, vi, RedisServices.heldBy(config, vi), stateDir, shared);
                VrrpInstanceRunner runner;
                try {
                    runner = VrrpInstanceRunner.start(name, vi, stateDir, hub, ticker, InstantSource.system(), listener,
                            down, lease(name, vi));
                } catch (IOException | RuntimeException e) {
                    listener.close();
                    throw e;
                }
                listener.attach(runner);
                if (runner.status().lease().isPresent()) {
                    VrrpInstanceRunner r = runner;
                    metrics.vrrpLease(name, () -> r.status().lease().map(l -> l.epoch()).orElse(0L));
                }
                instances.put(name, new Running(vi, runner, listener));
                drained.map(Failover::whyDrained).ifPresent(runner::drain);
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
                metrics.vrrpInstance(name, vi.vrid(), vi.iface().orElse(""), vi::priority, vi::priority);
                metrics.vrrpState(name, -1);
            }
        }
    }

    /**
     * What instance {@code name} runs behind when it is in {@code coordination.zookeeper.lease_for}: its lease on the
     * daemon's session, and the Redis it promotes, whose writes a SUSPENDED connection pauses.
     */
    private Optional<LeaseSetup> lease(String name, VrrpInstance vi) {
        Optional<ZookeeperConfig> zk = zookeeper.filter(z -> z.leaseFor().contains(name));
        if (zk.isEmpty() || coordination.isEmpty()) {
            return Optional.empty();
        }
        ZkCoordination c = coordination.get();
        return Optional.of(new LeaseSetup(LeaseParams.of(name, zk.get().sessionTimeout(), vi.advertInterval()),
                heard -> c.lease(vi.vrid(), name, heard::accept), vi.onMaster().redisPromote().map(RedisWritePause::of)));
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
            r.listener().reconfigure(vi, RedisServices.heldBy(config, vi), stateDir);
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
            return failed.containsKey(name) ? ForcePromotionReplies.notRunning(name, failed.get(name))
                    : ForcePromotionReplies.unknown(name, instances.keySet());
        }
        if (r.config().onMaster().redisPromote().isEmpty()) {
            return ForcePromotionReplies.nothingToForce(name);
        }
        return r.listener().force(reason);
    }

    /**
     * {@code haagent ctl switchover NAME}: a planned hand-over to the peer once its Redis caught up
     * ({@link PlannedSwitchover}). Blocks for seconds; an admin worker calls it.
     */
    AdminServer.Reply switchover(String name, String reason, Optional<Duration> catchUpTimeout) {
        Running r = instances.get(name);
        if (r == null) {
            return failed.containsKey(name) ? AdminServer.Reply.refused(409, "(" + name + ") is not running: "
                    + failed.get(name)) : AdminServer.Reply.refused(404, "no VRRP instance " + name + (instances.isEmpty()
                    ? "; this node runs none (see vrrp: in its config)"
                    : "; the instances are " + String.join(", ", new TreeSet<>(instances.keySet()))));
        }
        return handOver(name, r, reason, catchUpTimeout, false);
    }

    private AdminServer.Reply handOver(String name, Running r, String reason, Optional<Duration> timeout, boolean drain) {
        if (!switching.add(name)) {
            return AdminServer.Reply.refused(409, "(" + name + ") a switchover of it is already running; wait for its answer");
        }
        try {
            return new PlannedSwitchover(name, r.config(), r.runner(), ticker).run(reason, timeout, drain);
        } finally {
            switching.remove(name);
        }
    }

    /**
     * {@code haagent ctl node drain}'s failover part: every instance this node is MASTER of hands over as a planned
     * switchover does, and every instance then stays out of elections (BACKUP, never MASTER, not even when the master
     * falls silent) until {@link #resume}. An instance whose replica does not catch up stays MASTER, and the reply
     * says so (409): drain again once it keeps up.
     */
    AdminServer.Reply drain(String reason) {
        String why = whyDrained(reason);
        drained = Optional.of(reason);
        recordDrain(reason);
        List<Map<String, Object>> each = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String name : new TreeSet<>(instances.keySet())) {
            Running r = instances.get(name);
            if (r == null) {
                continue;
            }
            AdminServer.Reply reply;
            if (r.runner().status().state() == VrrpState.MASTER) {
                reply = handOver(name, r, reason, Optional.empty(), true);
            } else {
                r.runner().drain(why);
                reply = AdminServer.Reply.ok("(" + name + ") drained: stays " + r.runner().status().state()
                        + ", never MASTER until node resume");
            }
            if (reply.status() != 200) {
                refused.add(name);
            }
            each.add(reply.body());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", refused.isEmpty());
        body.put("message", refused.isEmpty()
                ? "node drained: " + (each.isEmpty() ? "no VRRP instance here" : "every VRRP instance stays out of"
                + " elections until node resume")
                : "node drained, but " + String.join(", ", refused) + " did not hand over and is still MASTER here; run"
                + " node drain again once its replica keeps up");
        body.put("vrrp", each);
        return new AdminServer.Reply(refused.isEmpty() ? 200 : 409, body);
    }

    /** {@code haagent ctl node resume}: the drain ends, and so does a switchover's hold; every instance elects again. */
    void resume(String why) {
        if (drained.isPresent()) {
            forgetDrain();
        }
        drained = Optional.empty();
        instances.values().forEach(r -> r.runner().resume(why));
    }

    /**
     * A supervised child exited on its own. When it runs the Redis of an instance, that instance's faulting
     * checks are down now: the failover starts at once instead of after {@code fall} failed runs. Any thread.
     */
    void processExited(String service, String what) {
        Set<String> down = new TreeSet<>();
        for (Running r : instances.values()) {
            down.addAll(r.listener().holds().getOrDefault(service, List.of()));
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
            if (r.listener().holds().containsKey(service)) {
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

    /** Every instance has started its election, or failed to start (and says why in /status). */
    @Override
    public boolean started() {
        return instances.values().stream().allMatch(r -> r.runner().started());
    }

    @Override
    public void loops(List<Liveness.Loop> into) {
        new TreeMap<>(instances).forEach((name, r) -> into.add(new Liveness.Loop("VRRP instance " + name + "'s loop",
                r.runner().heartbeatNanos(), VrrpInstanceRunner.HEARTBEAT)));
    }

    /** Each instance's state and whether its role actions are under way, by name, for the load push's samples. */
    SequencedMap<String, HaView.Vrrp> loadView() {
        SequencedMap<String, HaView.Vrrp> m = new TreeMap<>();
        failed.keySet().forEach(name -> m.put(name, new HaView.Vrrp("not running", false)));
        instances.forEach((name, r) -> m.put(name, new HaView.Vrrp(r.runner().status().state().name(),
                r.listener().actionsRunning())));
        return m;
    }

    /** The node is drained ({@code POST /node/drain}) until it is resumed. */
    boolean drained() {
        return drained.isPresent();
    }

    /** The operator's reason when the node is drained, also by an earlier agent. */
    Optional<String> drainedFor() {
        return drained;
    }

    private static String whyDrained(String reason) {
        return "node drained by operator (reason " + reason + ")";
    }

    private void recordDrain(String reason) {
        Path file = stateDir.resolve(DRAIN_FILE);
        try {
            Path next = file.resolveSibling(DRAIN_FILE + ".next");
            Files.writeString(next, reason + "\n");
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("cannot record the drain in {}: {}; it holds until this agent stops, not across a restart",
                    file, e.getMessage());
        }
    }

    private void forgetDrain() {
        Path file = stateDir.resolve(DRAIN_FILE);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}; the next agent starts drained: delete it, or undrain again then",
                    file, e.getMessage());
        }
    }

    private static Optional<String> recordedDrain(Path stateDir) {
        Path file = stateDir.resolve(DRAIN_FILE);
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // unreadable: drained all the same (the safe side), with what the operator needs to end it
            log.warn("cannot read {}: {}; the node starts drained; haagent ctl node undrain ends it", file, e.getMessage());
            return Optional.of("unknown: " + file + " unreadable");
        }
    }

    /** The daemon's ZooKeeper session, when {@code coordination.zookeeper} is configured (the zookeeper load sink). */
    Optional<ZkCoordination> zookeeper() {
        return coordination;
    }

    /** Each instance's state in words, by name: {@code MASTER}, or {@code not running} for one that failed to start. */
    Map<String, String> states() {
        Map<String, String> m = new TreeMap<>();
        failed.keySet().forEach(name -> m.put(name, "not running"));
        instances.forEach((name, r) -> m.put(name, r.runner().status().state().name()));
        return m;
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
                    list.add(FailoverStatusJson.notRunning(name, why));
                }
                continue;
            }
            Map<String, Object> m = FailoverStatusJson.running(r.runner().status(), now, wallNow);
            r.listener().status(m);
            list.add(m);
        }
        into.put("vrrp", list);
        into.put("drained", drained.map(Failover::whyDrained).orElse(null));
    }

    /**
     * A planned agent restart ({@code POST /agent/restart}): closing leaves each MASTER in place for the next agent,
     * which resumes it (its Redis and address untouched), rather than handing it to the peer.
     */
    void handOverOnClose() {
        handOverOnClose = true;
    }

    @Override
    public void close() {
        // Every MASTER sends its priority-0 advert here, so the peers take over after the skew time; on a planned
        // restart it sends its hand-over advert instead, which holds the peers until the next agent resumes.
        boolean planned = handOverOnClose;
        instances.values().parallelStream().forEach(r -> {
            if (planned) {
                r.runner().closeForPlannedRestart();
            } else {
                r.runner().close();
            }
            r.listener().close(); // after the runner: its STOP transition releases the address
        });
        instances.clear();
        failed.clear();
        // after the instances: a leased MASTER deleted its lease as it stopped; closing the session removes what is left.
        // Not ifPresent(ZkCoordination::close): the method reference links ZkCoordination, and with it Curator's
        // classes, also on a host without coordination.zookeeper (UnpackedPackageTest).
        if (coordination.isPresent()) {
            coordination.get().close();
        }
        hub.close();
        timer.shutdownNow();
    }
}
