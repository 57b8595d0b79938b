package io.haagent.failover.vrrp.instance;

import io.haagent.event.EventIds;
import io.haagent.config.Defaults;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.lease.Fence;
import io.haagent.failover.lease.LeaseInput;
import io.haagent.failover.vrrp.Action;
import io.haagent.failover.vrrp.Action.HandOver;
import io.haagent.failover.vrrp.Action.ReassertMaster;
import io.haagent.failover.vrrp.Action.SendAdvert;
import io.haagent.failover.vrrp.Action.SendAdvertTo;
import io.haagent.failover.vrrp.Action.Transition;
import io.haagent.failover.vrrp.Decision;
import io.haagent.failover.vrrp.ElectionState;
import io.haagent.failover.vrrp.Input;
import io.haagent.failover.vrrp.VrrpMachine;
import io.haagent.failover.vrrp.VrrpParams;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.net.AdvertHub;
import io.haagent.failover.vrrp.net.Datagram;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VRRP instance at run time: the actuator around the pure {@link VrrpMachine}. A single thread
 * ({@code vrrp-<name>}) owns the election state; every fact — a received advert, a tracked check
 * flipping, the machine's own timer, the stop — is posted to it, decided, and acted on: adverts sent,
 * the state file written, notify hooks queued (they run on their own thread), the listener told. The
 * thread sleeps until the machine's next wake-up time or the next fact.
 */
public final class VrrpInstanceRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.failover.vrrp");
    /** How long {@link #close} waits for the stop (and its priority-0 advert) to be processed. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    /** A planned restart's hand-over advert goes out this many times, this far apart: a lost one would cost a failover. */
    private static final int HAND_OVER_COPIES = 3;
    private static final Duration HAND_OVER_SPACING = Duration.ofMillis(5);

    private record Target(Ipv4 address, int port) {
        @Override
        public String toString() {
            return port == 0 ? address.toString() : address + ":" + port;
        }
    }

    private final String name;
    private final Ticker ticker;
    /** Wall clock for the hmac counters and the events' timestamps (tests set it off to play a stepped clock). */
    private final InstantSource wallClock;
    private final RunnerListener listener;
    private final StateFile stateFile;
    private final HookQueue hooks;
    private final ScheduledThreadPoolExecutor loop;
    private final Optional<LinkWatch> link;
    private final Tally tally;
    /** An instance in {@code coordination.zookeeper.lease_for}: its lease, decided on this instance's loop. */
    private final Optional<LeaseDriver> lease;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread loopThread;
    private volatile AdvertHub.Registration registration;
    private volatile InstanceStatus status;
    private volatile long heartbeat;
    private volatile boolean started;

    /** How often the instance's thread beats when no advert or timer is due: see {@link #heartbeatNanos}. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);

    // Confined to the loop thread; a reload replaces the first four (reconfigure).
    private VrrpInstance config;
    private VrrpMachine machine;
    private Adverts adverts;
    private List<Target> targets;
    private ElectionState election = ElectionState.initial();
    private final WakeUp wake;
    private boolean linkUp = true;
    private volatile VrrpEvent lastEvent; // written on the loop thread only

    private VrrpInstanceRunner(String name, VrrpInstance config, Path stateDir, Ticker ticker,
                               InstantSource wallClock, RunnerListener listener, Optional<LeaseSetup> leaseSetup) {
        this.name = name;
        this.link = config.iface().map(LinkWatch::new);
        this.config = config;
        this.machine = new VrrpMachine(params(name, config, link).withLease(leaseSetup.isPresent()));
        this.adverts = Adverts.of(name, config);
        this.ticker = ticker;
        this.wallClock = wallClock;
        this.listener = listener;
        this.stateFile = new StateFile(stateDir, name);
        this.hooks = new HookQueue(name, config.notifyHooks(), config.notifyTimeout());
        this.targets = targets(config);
        this.tally = new Tally(name, machine.params().priority(), targets.stream().map(Target::address).toList(),
                ticker.nanoTime());
        this.loop = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "vrrp-" + name);
            th.setDaemon(true);
            loopThread = th;
            return th;
        });
        // a cancelled wake-up must not linger in the queue, nor run after close
        loop.setRemoveOnCancelPolicy(true);
        loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.wake = new WakeUp(loop, this::timerFired);
        this.lease = leaseSetup.map(l -> new LeaseDriver(name, l, ticker, loop, this::submit, this::post,
                this::publish));
        this.status = tally.snapshot(election, machine.effectivePriority(election));
        this.heartbeat = ticker.nanoTime();
    }

    /**
     * Opens the instance's endpoint on {@code hub} and starts the election (RFC 5798 §6.4.1 Startup).
     *
     * @throws IOException              the endpoint cannot be opened (address not local, port taken...)
     * @throws IllegalArgumentException the config cannot run (checked by lint, so a bug if it happens)
     */
    public static VrrpInstanceRunner start(String name, VrrpInstance config, Path stateDir, AdvertHub hub,
                                           Ticker ticker, RunnerListener listener) throws IOException {
        return start(name, config, stateDir, hub, ticker, listener, Set.of());
    }

    /**
     * As {@link #start(String, VrrpInstance, Path, AdvertHub, Ticker, RunnerListener)}, with the tracked
     * checks already known to be down, so that the instance starts in FAULT rather than passing through BACKUP.
     */
    public static VrrpInstanceRunner start(String name, VrrpInstance config, Path stateDir, AdvertHub hub,
                                           Ticker ticker, RunnerListener listener, Set<String> downAtStart)
            throws IOException {
        return start(name, config, stateDir, hub, ticker, InstantSource.system(), listener, downAtStart);
    }

    /** As above, with the wall clock the hmac seal and the events read. */
    public static VrrpInstanceRunner start(String name, VrrpInstance config, Path stateDir, AdvertHub hub,
                                           Ticker ticker, InstantSource wallClock, RunnerListener listener,
                                           Set<String> downAtStart) throws IOException {
        return start(name, config, stateDir, hub, ticker, wallClock, listener, downAtStart, Optional.empty());
    }

    /**
     * As above, behind a ZooKeeper lease when {@code lease} is present ({@code coordination.zookeeper.lease_for}):
     * MASTER only while the instance holds it.
     */
    public static VrrpInstanceRunner start(String name, VrrpInstance config, Path stateDir, AdvertHub hub,
                                           Ticker ticker, InstantSource wallClock, RunnerListener listener,
                                           Set<String> downAtStart, Optional<LeaseSetup> lease) throws IOException {
        VrrpInstanceRunner r = new VrrpInstanceRunner(name, config, stateDir, ticker, wallClock, listener, lease);
        boolean udp = config.transport() == VrrpInstance.Transport.UDP;
        AdvertHub.Endpoint endpoint = new AdvertHub.Endpoint(config.transport(), config.unicast().source(),
                udp ? config.unicast().port().orElse(Defaults.VRRP_UDP_PORT) : 0, config.iface());
        try {
            r.registration = hub.register(endpoint, config.vrid(), r::received);
        } catch (IOException | RuntimeException e) {
            r.loop.shutdownNow();
            r.hooks.close(Duration.ZERO);
            r.lease.ifPresent(LeaseDriver::close);
            throw e;
        }
        downAtStart.forEach(check -> r.post(new Input.TrackedCheckWentDown(check)));
        r.link.ifPresent(l -> {
            r.submit(r::pollLink);
            // keepalived hears link changes from netlink at once; a poll at the advert interval (at most
            // every 100 ms, at least every second) is as quick where it matters: before the next advert.
            long every = Math.clamp(config.advertInterval().toMillis(), 100, 1000);
            r.loop.scheduleWithFixedDelay(r::pollLink, every, every, TimeUnit.MILLISECONDS);
        });
        r.submit(() -> r.feed(r.startInput()));
        // A BACKUP or FAULT with nothing heard may have no wake-up at all: the beat wakes its thread anyway, so that
        // a thread that stopped running (a listener that blocks it) shows.
        r.loop.scheduleWithFixedDelay(() -> r.heartbeat = ticker.nanoTime(), 0, HEARTBEAT.toNanos(), TimeUnit.NANOSECONDS);
        return r;
    }

    /**
     * On the loop: {@link Input.Started}, or {@link Input.StartedAfterHandOver} when the state file says the previous
     * agent handed over as MASTER for a planned restart. Read once: the start's transition rewrites the file.
     */
    private Input startInput() {
        return StateFile.handOver(stateFile.path()).<Input>map(h -> {
            long ago;
            try {
                ago = Duration.between(h.at(), wallClock.instant()).toNanos();
            } catch (ArithmeticException e) {
                ago = Long.MAX_VALUE; // centuries: stale
            }
            return new Input.StartedAfterHandOver(ago, h.advertCentis());
        }).orElseGet(Input.Started::new);
    }

    /** The election's parameters: the config's, and the interface tracked with weight 0 (as keepalived does). */
    private static VrrpParams params(String name, VrrpInstance config, Optional<LinkWatch> link) {
        VrrpParams params = VrrpParams.of(name, config);
        if (link.isPresent()) {
            params = params.withTrack(new VrrpInstance.Track(link.get().trackName(), 0));
        }
        return params;
    }

    private static List<Target> targets(VrrpInstance config) {
        boolean udp = config.transport() == VrrpInstance.Transport.UDP;
        List<Target> t = new ArrayList<>();
        for (VrrpInstance.Peer p : config.unicast().peers()) {
            t.add(new Target(p.address(), udp ? p.port().or(config.unicast()::port).orElse(Defaults.VRRP_UDP_PORT) : 0));
        }
        return List.copyOf(t);
    }

    /**
     * A reload changed this instance but not its identity ({@link VrrpInstance#identityChanges} is empty): it
     * takes {@code next} in place and the election goes on from its state — no transition, so no hook, mail or
     * role action, unless the new tracking demands one ({@link Input.Reconfigured}). {@code downNow}: the
     * tracked checks of {@code next} that are down now; {@code unknownNow}: those with no result yet (a check the
     * same reload changed restarts from UNKNOWN), which keep the state the instance knew them in. Waits (boundedly)
     * until it is done; any thread.
     *
     * @throws IllegalArgumentException {@code next} has another identity: stop this runner and start another
     * @throws IllegalStateException    it could not be applied (a secret file unreadable, say), or not in time;
     *                                  the instance runs on as it was
     */
    public void reconfigure(VrrpInstance next, Set<String> downNow, Set<String> unknownNow) {
        Future<?> done;
        try {
            done = loop.submit(() -> applyConfig(next, downNow, unknownNow));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("(" + name + ") is stopped", e);
        }
        try {
            done.get(STOP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("(" + name + ") did not take the new settings within " + STOP_WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("(" + name + ") interrupted while reconfiguring", e);
        }
    }

    /** On the loop. Everything that can fail comes before anything changes. */
    private void applyConfig(VrrpInstance next, Set<String> downNow, Set<String> unknownNow) {
        List<String> identity = config.identityChanges(next);
        if (!identity.isEmpty()) {
            throw new IllegalArgumentException("(" + name + ") cannot take a new identity in place (" + String.join(", ", identity)
                    + "): restart the instance");
        }
        Adverts nextAdverts = adverts.reconfigured(name, config, next);
        VrrpParams before = machine.params();
        VrrpParams params = params(name, next, link).withLease(lease.isPresent());
        Set<String> down = new java.util.HashSet<>(downNow);
        // a check down until this reload restarted it is not up for all that: down until its first result says
        unknownNow.stream().filter(election.downChecks()::contains).forEach(down::add);
        // the instance tracks its interface by itself: known here, not to the caller
        link.map(LinkWatch::trackName).filter(election.downChecks()::contains).ifPresent(down::add);
        List<String> changes = config.settingChanges(next);
        config = next;
        machine = new VrrpMachine(params);
        adverts = nextAdverts;
        targets = targets(next);
        hooks.reconfigure(next.notifyHooks(), next.notifyTimeout());
        tally.reconfigure(params.priority(), targets.stream().map(Target::address).toList());
        feed(new Input.Reconfigured(before, down, changes));
    }

    /**
     * The promotion guard: {@code refused}, the local Redis must not be promoted ({@code why}) and the instance
     * holds FAULT until it is called again with {@code refused} false (the guard lifted). Any thread.
     */
    public void promotionGuard(boolean refused, String why) {
        post(refused ? new Input.PromotionRefused(why) : new Input.PromotionAllowed(why));
    }

    /**
     * A planned switchover, the peer's Redis caught up as {@code why} says: a MASTER sends priority 0 and becomes
     * BACKUP, held out of preemption ({@link Input.SwitchoverRequested}). Waits (bounded) for the decision; any
     * thread.
     *
     * @return the transition it made, empty when the instance was not MASTER (any more) and nothing changed
     */
    public Optional<VrrpEvent> switchover(String why) {
        return decideNow(new Input.SwitchoverRequested(why));
    }

    /**
     * The node is drained ({@code why}): the instance stays out of elections until {@link #resume}; a MASTER steps
     * down as for {@link #switchover}. Waits (bounded); any thread.
     *
     * @return the transition it made (a MASTER's step-down), empty otherwise
     */
    public Optional<VrrpEvent> drain(String why) {
        return decideNow(new Input.DrainRequested(why));
    }

    /** The node was resumed ({@code why}): a drain or a switchover's hold ends. Any thread. */
    public void resume(String why) {
        post(new Input.ResumeRequested(why));
    }

    private Optional<VrrpEvent> decideNow(Input in) {
        Future<Optional<VrrpEvent>> done;
        try {
            done = loop.submit(() -> {
                VrrpEvent before = lastEvent;
                feed(in);
                VrrpEvent after = lastEvent;
                return after != before && after != null && after.from() == VrrpState.MASTER
                        ? Optional.of(after) : Optional.<VrrpEvent>empty();
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("(" + name + ") is stopped", e);
        }
        try {
            return done.get(STOP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("(" + name + ") failed to decide " + in + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("(" + name + ") did not decide " + in + " within " + STOP_WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("(" + name + ") interrupted", e);
        }
    }

    /** A tracked check flipped; any thread. */
    public void trackedCheck(String check, boolean up) {
        post(up ? new Input.TrackedCheckWentUp(check) : new Input.TrackedCheckWentDown(check));
    }

    /** The transition in force (with the master learned since), empty before the first; any thread. */
    public Optional<VrrpEvent> lastEvent() {
        return Optional.ofNullable(lastEvent);
    }

    /** The ticker's reading when the instance's thread last ran its heartbeat (due every {@link #HEARTBEAT}); any thread. */
    public long heartbeatNanos() {
        return heartbeat;
    }

    /** The election has started (RFC 5798 §6.4.1 Startup done: the instance is BACKUP, MASTER or FAULT); any thread. */
    public boolean started() {
        return started;
    }

    /**
     * Whether an irreversible step ({@code REPLICAOF NO ONE}, an address move) may run now: empty when the instance is
     * not behind a lease (nothing to check), else the lease's answer with the epoch to tag the step with. Ask
     * immediately before the step; any thread.
     */
    public Optional<Fence> fence() {
        return lease.map(LeaseDriver::fence);
    }

    /** The instance as of its last event; any thread. */
    public InstanceStatus status() {
        return status;
    }

    /**
     * Stops the election (a MASTER sends its priority-0 advert so a backup takes over after the skew
     * time, and the state file says STOP), closes the endpoint and lets the queued notify hooks finish
     * for a bounded time. Idempotent; any thread.
     */
    @Override
    public void close() {
        close(new Input.StopRequested());
    }

    /**
     * Stops the election for a planned agent restart ({@link Input.PlannedRestart}): a MASTER sends its hand-over
     * advert instead of priority 0, keeps its role's effects (Redis, address) and records the hand-over in the state
     * file for the next agent, which resumes MASTER; any other state stops as {@link #close()} does. Idempotent with
     * {@link #close()}; any thread.
     */
    public void closeForPlannedRestart() {
        close(new Input.PlannedRestart());
    }

    private void close(Input stop) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean onLoop = Thread.currentThread() == loopThread;
        try {
            if (onLoop) {
                feed(stop);
            } else {
                Future<?> done = loop.submit(() -> feed(stop));
                done.get(STOP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            log.warn("({}) stopped uncleanly because the stop was not handled within {} s ({}): a MASTER may not have "
                    + "sent its last advert, so the backup takes over only after the master down interval", name,
                    STOP_WAIT.toSeconds(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        AdvertHub.Registration reg = registration;
        if (reg != null) {
            try {
                reg.close();
            } catch (RuntimeException e) {
                log.warn("({}) could not close its advert endpoint: {}", name, e.toString());
            }
        }
        loop.shutdownNow();
        lease.ifPresent(LeaseDriver::close);
        if (onLoop) {
            hooks.close();
            return;
        }
        try {
            loop.awaitTermination(STOP_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hooks.close();
    }

    // --- the loop -------------------------------------------------------------------------------

    /** From the transport's thread: hand the bytes to the loop, which alone may touch {@link Adverts}. */
    private void received(Datagram d) {
        submit(() -> admit(d));
    }

    private void post(Input in) {
        submit(() -> feed(in));
    }

    private void submit(Runnable task) {
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // a bug in one event must not end the election: the next advert or timer comes anyway
                    log.error("({}) failed to handle an event; the election goes on", name, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: late datagrams and check flips have nothing left to move
        }
    }

    /** On the loop: tells the machine when the interface's link changes. */
    private void pollLink() {
        LinkWatch l = link.orElseThrow();
        boolean up = l.isUp();
        if (up != linkUp) {
            linkUp = up;
            feed(up ? new Input.TrackedCheckWentUp(l.trackName()) : new Input.TrackedCheckWentDown(l.trackName()));
        }
    }

    private void admit(Datagram d) {
        long now = ticker.nanoTime();
        Instant wall = wallClock.instant();
        switch (adverts.admit(d, micros(wall))) {
            case Admission.Admitted a -> {
                a.notice().ifPresent(n -> log.info("({}) {}", name, n));
                tally.heard(a.input().source(), now, a.input().priority());
                if (!a.input().follower()) {
                    // the listener takes what it hears for a master's advert (the promotion guard, the hand-over watch);
                    // a leased peer's follower advert says the opposite, and reaches only the lease
                    tell(() -> listener.advertReceived(name, a.input().source(), a.input().priority()));
                }
                decideAndAct(a.input(), now, wall);
                // the failsafe counts only a follower advert, of lower priority, while we are MASTER: the peer
                // follows us and does not want the lease; anything else it sends says it does not agree
                boolean agrees = a.input().follower() && election.state() == VrrpState.MASTER
                        && a.input().priority() < machine.effectivePriority(election);
                lease.ifPresent(l -> l.feed(new LeaseInput.PeerAdvertHeard(a.input().priority(), agrees)));
            }
            case Admission.Refused r -> {
                tally.dropped(r.reason(), r.detail());
                tell(() -> listener.advertDropped(name, r.reason()));
                publish();
            }
        }
    }

    private void feed(Input in) {
        decideAndAct(in, ticker.nanoTime(), wallClock.instant());
        if (in instanceof Input.Started || in instanceof Input.StartedAfterHandOver) {
            started = true;
        }
    }

    private void decideAndAct(Input in, long now, Instant wall) {
        Decision d = machine.decide(in, election, now);
        election = d.state();
        List<String> ids = new ArrayList<>();
        for (Action a : d.actions()) {
            if (a instanceof Transition) {
                ids.add(EventIds.next());
            }
        }
        d.sentence().ifPresent(s -> log.info(ids.isEmpty() ? s : s + " [event " + String.join(", ", ids) + "]"));
        int next = 0;
        for (Action a : d.actions()) {
            switch (a) {
                case SendAdvert s -> send(targets, s.priority(), s.advertIntervalCentis(), micros(wall), false);
                case SendAdvertTo s -> send(targets.stream().filter(t -> t.address().equals(s.peer())).toList(),
                        s.priority(), s.advertIntervalCentis(), micros(wall), false);
                case Action.SendFollowerAdvert s -> send(targets, s.priority(), s.advertIntervalCentis(), micros(wall),
                        true);
                case ReassertMaster r -> tell(() -> listener.reassertMaster(name, r.lowerPriorityPeer(),
                        r.peerPriority(), r.ourPriority()));
                case HandOver h -> handOver(h, wall);
                case Action.AskLease x -> lease.ifPresent(l -> l.feed(new LeaseInput.WantsMaster()));
                case Action.ReleaseLease x -> lease.ifPresent(l -> l.feed(new LeaseInput.LeftMaster(x.why())));
                case Transition t -> transitioned(t, ids.get(next++), now, wall);
            }
        }
        noteNewMaster();
        wake.at(d.nextWakeAtNanos(), now);
        publish();
    }

    /**
     * A BACKUP learns who the master is after it entered BACKUP (from the master's first advert): the
     * state file names the master the node follows now, so it is rewritten, with the same event.
     */
    private void noteNewMaster() {
        VrrpEvent e = lastEvent;
        if (e != null && e.to() == election.state() && !e.master().equals(election.master())) {
            lastEvent = new VrrpEvent(e.eventId(), e.instance(), e.from(), e.to(), e.reason(), e.priority(),
                    election.master(), e.at());
            stateFile.write(lastEvent);
            VrrpEvent learned = lastEvent;
            election.master().ifPresent(m -> tell(() -> listener.masterLearned(learned, m)));
        }
    }

    private void send(List<Target> to, int priority, int advertIntervalCentis, long wallMicros, boolean follower) {
        AdvertHub.Registration reg = registration;
        for (Target t : to) {
            try {
                reg.send(t.address(), t.port(),
                        adverts.encode(priority, advertIntervalCentis, t.address(), wallMicros, follower));
                if (tally.sent(t.address())) {
                    log.info("({}) sending adverts to {} works again", name, t);
                }
                tell(() -> listener.advertSent(name, priority));
            } catch (IOException | RuntimeException e) {
                if (tally.sendFailed(t.address())) {
                    log.warn("({}) could not send an advert to {}: {}; further failures are only counted (status "
                            + "send_errors) until a send succeeds", name, t, e.toString());
                }
            }
        }
    }

    /**
     * A planned restart's hand-over: the adverts first (the peer holds from the first that arrives), then the record
     * the next agent resumes from; the record without the adverts could resume a MASTER the peer did not wait for.
     */
    private void handOver(HandOver h, Instant wall) {
        for (int i = 0; i < HAND_OVER_COPIES; i++) {
            if (i > 0) {
                LockSupport.parkNanos(HAND_OVER_SPACING.toNanos());
            }
            // a fresh wall time each: an hmac seal's counter must grow from one advert to the next
            send(targets, h.priority(), h.advertIntervalCentis(), micros(wallClock.instant()), false);
        }
        VrrpEvent e = lastEvent;
        if (e != null) {
            stateFile.writeHandOver(e, wall, h.advertIntervalCentis(), h.holdNanos());
        }
    }

    private void transitioned(Transition t, String id, long now, Instant wall) {
        VrrpEvent e = new VrrpEvent(id, name, t.from(), t.to(), t.reason(), t.priority(), t.master(), wall);
        lastEvent = e;
        tally.transitioned(id, now);
        stateFile.write(e);
        hooks.enqueue(e);
        publish(); // a listener that asks for the status must see the state it is told about
        tell(() -> listener.transitioned(e));
    }

    /** On the loop, when the election's wake-up time has come. */
    private void timerFired() {
        try {
            feed(new Input.TimePassed());
        } catch (RuntimeException e) {
            // without a timer a MASTER would fall silent: try again one advert interval later
            log.error("({}) failed to handle its timer; trying again in one advert interval", name, e);
            long retryFrom = ticker.nanoTime();
            wake.at(retryFrom + machine.params().advertIntervalCentis() * 10_000_000L, retryFrom);
        }
    }

    private void publish() {
        status = tally.snapshot(election, machine.effectivePriority(election)).withLease(lease.map(l -> {
            var s = l.state();
            return new InstanceStatus.LeaseStatus(s.phase().name(), s.epoch(), s.waitingFor());
        }));
    }

    private void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("({}) a listener failed; the election goes on", name, e);
        }
    }

    private static long micros(Instant wall) {
        return Math.addExact(Math.multiplyExact(wall.getEpochSecond(), 1_000_000L), wall.getNano() / 1_000);
    }

    @Override
    public String toString() {
        return "VrrpInstanceRunner[" + name + " " + status.state() + "]";
    }
}
