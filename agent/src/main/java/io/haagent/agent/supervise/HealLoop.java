package io.haagent.agent.supervise;

import io.haagent.agent.heal.Decision;
import io.haagent.agent.heal.Sentence;
import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.HealState;
import io.haagent.agent.heal.Healer;
import io.haagent.agent.heal.Observation;
import io.haagent.time.Ticker;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observe-decide-act loop of healing (STYLE §3): one thread owns the healer's state; check
 * flips, child exits, restart results, operator requests and reloads arrive on one queue; the
 * thread decides, logs each sentence, and hands the actions to the actuator, which never blocks
 * it. It sleeps until the next observation or the decision's wake-up time.
 */
public final class HealLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.heal");

    /** What the loop tells its owner: each decision (on the loop thread) and each emitted event. */
    public interface Hooks {
        default void decided(Decision decision) {}

        default void emitted(HealEvent event) {}

        /**
         * A supervised child exited on its own (not stopped by the agent), told on the supervisor's thread
         * as soon as it is seen, before healing decides anything; must not block.
         */
        default void processExited(Observation.ProcessExited exit) {}

        /** A service was started or restarted (told on the thread that saw it, before healing decides); must not block. */
        default void processStarted(String service) {}
    }

    /** A new healer from a reload, applied on the loop thread like any observation. */
    private record Reload(Healer next) {}

    /** An observation whose sender waits until the loop has decided on it ({@link #observeAndAwait}). */
    private record Awaited(Observation observation, CountDownLatch decided) {}

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Ticker ticker;
    private final Hooks hooks;
    private final Supervisor supervisor;
    private final Actuator actuator;
    private final Thread thread;
    private volatile Healer healer;
    private volatile HealState state;
    private volatile boolean running = true;
    private volatile long heartbeat;
    private final OperatorStops stops;

    /** The longest the loop sleeps, whatever the next wake-up: see {@link #heartbeatNanos}. */
    public static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(1);

    public HealLoop(Healer healer, Path stateDir, Ticker ticker, Hooks hooks) {
        this(healer, stateDir, ticker, hooks, UnaryOperator.identity());
    }

    /** @param tap wraps the supervisor's listener, e.g. for a benchmark to time starts and exits */
    public HealLoop(Healer healer, Path stateDir, Ticker ticker, Hooks hooks, UnaryOperator<Supervisor.Listener> tap) {
        this.healer = healer;
        this.ticker = ticker;
        this.hooks = hooks;
        this.supervisor = new Supervisor(stateDir, tap.apply(Actuator.reportingTo(o -> {
            if (o instanceof Observation.ProcessExited e && !e.stopRequested()) {
                try {
                    hooks.processExited(e);
                } catch (RuntimeException ex) {
                    LoggerFactory.getLogger(HealLoop.class).error("a process-exit hook failed", ex);
                }
            }
            if (o instanceof Observation.RestartFinished r && r.ok()) {
                try {
                    hooks.processStarted(r.service());
                } catch (RuntimeException ex) {
                    LoggerFactory.getLogger(HealLoop.class).error("a process-start hook failed", ex);
                }
            }
            inbox.add(o);
        })), Supervisor.Options.DEFAULT);
        this.actuator = new Actuator(supervisor, new Restarters(CommandRunner.system(), supervisor, Restarters.Timeouts.DEFAULT),
                inbox::add, hooks::emitted);
        this.state = healer.initial(new SecureRandom().nextLong(), ticker.nanoTime());
        this.heartbeat = ticker.nanoTime();
        this.stops = new OperatorStops(stateDir);
        inbox.addAll(stops.restore(state.services().keySet())); // before anything starts
        inbox.add(new Observation.AgentStarted());
        this.thread = Thread.ofPlatform().name("haagent-heal").start(this::run);
    }

    /** Hands a fact to the loop; safe from any thread. */
    public void observe(Observation o) {
        inbox.add(o);
    }

    /**
     * Hands a fact to the loop and waits, at most {@code within}, until the loop has decided on it, so that
     * {@link #state} then shows it: an operator's request answered at once must not be judged by the next request
     * against a state that does not have it yet ({@code ctl pause app; ctl resume app}). Safe from any thread but the
     * loop's own.
     *
     * @return whether it was decided in time; if not, it stays queued and is decided in its turn
     */
    public boolean observeAndAwait(Observation o, java.time.Duration within) throws InterruptedException {
        Awaited a = new Awaited(o, new CountDownLatch(1));
        inbox.add(a);
        return a.decided().await(within.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Applies a reloaded config's healer: unchanged services keep their state and their child. */
    public void reload(Healer next) {
        inbox.add(new Reload(next));
    }

    public HealState state() {
        return state;
    }

    public Healer healer() {
        return healer;
    }

    public Supervisor supervisor() {
        return supervisor;
    }

    /**
     * The ticker's reading when the loop last came round: at least every {@link #HEARTBEAT}, even with nothing to
     * do, so an old one means the loop is stuck (in a decision, a hook or the actuator) and healing has stopped.
     */
    public long heartbeatNanos() {
        return heartbeat;
    }

    private void run() {
        long wake = Decision.NEVER;
        while (running) {
            Object item;
            try {
                // never longer than the heartbeat: an idle loop must still show that it runs (a pause for an hour
                // would otherwise sleep for an hour); a wake-up before the decision's is a TimePassed, which is harmless
                long wait = Math.min(HEARTBEAT.toNanos(), wake == Decision.NEVER ? Long.MAX_VALUE : wake - ticker.nanoTime());
                item = inbox.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return;
            }
            long now = ticker.nanoTime();
            heartbeat = now;
            Decision d;
            try {
                if (item instanceof Reload r) {
                    d = healer.reload(r.next(), state, now);
                    healer = r.next();
                } else if (item instanceof Awaited a) {
                    d = healer.decide(a.observation(), state, now);
                } else {
                    d = healer.decide(item instanceof Observation o ? o : new Observation.TimePassed(), state, now);
                }
            } catch (Throwable t) { // this thread is all of healing: it must outlive any one observation
                log.error("healing could not decide on {}; it carries on with the state it had, and decides again in"
                        + " a second", item, t);
                // a wake-up already due would be decided again at once, throw again, and spin
                wake = now + TimeUnit.SECONDS.toNanos(1);
                continue;
            }
            state = d.state();
            stops.sync(state);
            if (item instanceof Awaited a) {
                a.decided().countDown();
            }
            d.sentences().forEach(HealLoop::say);
            try {
                hooks.decided(d);
            } catch (Throwable t) { // metrics and state: a failure there must not cost the actions
                log.error("a heal hook failed on a decision; healing carries on", t);
            }
            actuator.perform(d.actions());
            wake = d.nextWakeAtNanos();
        }
    }

    /** Logs a decision's sentence at the level its severity maps to. */
    private static void say(Sentence s) {
        switch (s.severity()) {
            case INFO -> log.info(s.text());
            case WARN -> log.warn(s.text());
            case ERROR -> log.error(s.text());
        }
    }

    /** A planned agent restart: {@link #close} then leaves the children running ({@link Supervisor#leaveChildrenRunning}). */
    public void leaveChildrenRunning() {
        supervisor.leaveChildrenRunning();
    }

    /** Stops the loop, then the actuator, then every child (unless {@link #leaveChildrenRunning}). */
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
