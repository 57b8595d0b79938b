package io.haagent.checker;

import io.haagent.checker.probe.CheckResult;
import io.haagent.checker.probe.Probe;
import io.haagent.checker.probe.ProbeFactory;
import io.haagent.checker.probe.Watch;
import io.haagent.config.CheckSpec;
import io.haagent.config.Durations;
import io.haagent.time.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured checks and keeps their rise/fall state.
 *
 * <ul>
 *   <li>Each check runs every {@code interval}: the first run at a random point of the first
 *       interval, later ones at the interval ±10% (at most ±1s), so that many checks do not fire
 *       together.</li>
 *   <li>A run never overlaps the previous run of the same check: a run still going when the next
 *       is due makes that one skipped (counted in {@link CheckStatus#skippedRuns()}, not logged).</li>
 *   <li>Every probe enforces its timeout; as a backstop a run without a result shortly after its
 *       timeout is recorded as timed out.</li>
 *   <li>Every result and every flip goes to the {@link CheckListener}s (in batches, within
 *       milliseconds); each flip is logged once:
 *       {@code check redis: UP -> DOWN after 2 failures: connect refused}. Steady state logs nothing.</li>
 *   <li>A probe that can watch its server between runs ({@link Probe#watch}: a {@code redis} check's idle
 *       connection) makes the check run at once when the server closes it, and flips it DOWN at once when
 *       the server then refuses a new connection: {@code check redis: UP -> DOWN at once: connect refused
 *       after the server closed the watch connection}.</li>
 *   <li>{@link #apply} takes the whole new set of checks: checks whose spec is equal keep their
 *       state and schedule, changed ones restart from UNKNOWN, removed ones stop.</li>
 * </ul>
 *
 * Each check's timers and bookkeeping run on one thread: the event loop of an {@code http} or
 * {@code tcp} probe (so a run costs no thread hand-off at all), or else the scheduler's own timer
 * thread, to which the blocking probes' virtual threads hand their results back.
 */
public final class CheckScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckScheduler.class);
    static final Duration DEFAULT_BACKSTOP_GRACE = Duration.ofSeconds(1);

    private final ProbeFactory probes;
    private final Ticker ticker;
    private final SplittableRandom random;
    private final Duration backstopGrace;
    /** Timers of the checks whose probe does not name an executor (the blocking ones). */
    private final ScheduledThreadPoolExecutor timer;
    /** The running checks; changed only under {@code this} lock, read by anyone. */
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final List<ListenerSlot> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** When the timer thread last ran its heartbeat; see {@link #heartbeatNanos}. */
    private volatile long heartbeat;

    CheckScheduler(ProbeFactory probes, Ticker ticker, SplittableRandom random, Duration backstopGrace) {
        this.probes = Objects.requireNonNull(probes, "probes");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.random = random;
        this.backstopGrace = backstopGrace;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "haagent-check-scheduler");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        heartbeat = ticker.nanoTime();
        // The timer thread wakes only for runs; with few or slow checks it could sleep for minutes. The beat makes
        // it wake every HEARTBEAT whatever is configured, so that a timer thread that stopped running shows.
        timer.scheduleWithFixedDelay(() -> heartbeat = ticker.nanoTime(), 0, HEARTBEAT.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** How often the timer thread beats when nothing else is due: see {@link #heartbeatNanos}. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);

    /**
     * The ticker's reading when the scheduler's timer thread last ran its heartbeat, due every {@link #HEARTBEAT}:
     * an old one means that thread is stuck (a listener or a blocking probe that holds it), and the checks
     * that run on it have stopped. Any thread.
     */
    public long heartbeatNanos() {
        return heartbeat;
    }

    /**
     * Whether every check has its first result (its first run at a random point of its first interval, or a
     * timeout at most its timeout and a grace later): what "the first check round has run" means. Any thread.
     */
    public boolean firstRoundDone() {
        return running.values().stream().allMatch(r -> r.status.last().isPresent());
    }

    /**
     * A scheduler with no checks yet; call {@link #apply} to start some. {@code ticker} stamps
     * {@link CheckStatus#sinceNanos()} and flips. The caller keeps owning {@code probes} and closes
     * it after this scheduler.
     */
    public static CheckScheduler create(ProbeFactory probes, Ticker ticker) {
        return new CheckScheduler(probes, ticker, new SplittableRandom(), DEFAULT_BACKSTOP_GRACE);
    }

    /**
     * Makes {@code checks} the running set (name to spec): starts new checks, restarts changed
     * ones, stops removed ones, and leaves the ones with an equal spec alone — state, counters and
     * schedule included. Call it at start and on every reload, with the whole set. It does not wait
     * for any check to run, so it may be called from a listener.
     */
    public synchronized CheckChanges apply(Map<String, ? extends CheckSpec> checks) {
        if (closed) {
            throw new IllegalStateException("the check scheduler is closed");
        }
        Map<String, CheckSpec> next = new TreeMap<>(checks);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String name : new TreeMap<>(running).keySet()) {
            if (!next.containsKey(name)) {
                stop(running.remove(name));
                removed.add(name);
            }
        }
        for (var e : next.entrySet()) {
            Running old = running.get(e.getKey());
            if (old != null && old.spec.equals(e.getValue())) {
                kept.add(e.getKey());
                continue;
            }
            if (old != null) {
                stop(old);
                changed.add(e.getKey());
            } else {
                added.add(e.getKey());
            }
            Running r = create(e.getKey(), e.getValue());
            running.put(r.name, r);
            submit(r, () -> start(r));
        }
        return new CheckChanges(added, changed, removed, kept);
    }

    /** Adds a listener; it hears results and flips from now on. */
    public void addListener(CheckListener listener) {
        listeners.add(new ListenerSlot(Objects.requireNonNull(listener, "listener"), timer));
    }

    /** Removes a listener; events already queued for it are still delivered. */
    public void removeListener(CheckListener listener) {
        for (ListenerSlot slot : listeners) {
            if (slot.listener == listener && listeners.remove(slot)) {
                slot.shutdown();
            }
        }
    }

    /** Every check's status, sorted by name. */
    public List<CheckStatus> snapshot() {
        List<CheckStatus> all = new ArrayList<>();
        for (Running r : running.values()) {
            all.add(r.status);
        }
        all.sort(Comparator.comparing(CheckStatus::name));
        return all;
    }

    /** One check's status, if it is configured. */
    public Optional<CheckStatus> status(String name) {
        Running r = running.get(name);
        return r == null ? Optional.empty() : Optional.of(r.status);
    }

    /**
     * The check is down now, known without its probe ({@code reason}: the supervised process it watches
     * exited): it flips DOWN at once instead of after {@code fall} failed runs, and comes back UP after
     * {@code rise} successful runs, which go on as scheduled. Nothing happens for an unknown check or one
     * that is down already. Any thread.
     */
    public void knownDown(String name, String reason) {
        Running r = running.get(name);
        if (r != null) {
            submit(r, () -> markDown(r, reason));
        }
    }

    /** Stops every check and the timer thread; listeners get what was already queued. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running.values().forEach(this::stop);
        running.clear();
        listeners.forEach(ListenerSlot::shutdown);
        listeners.clear();
        timer.shutdownNow();
    }

    private Running create(String name, CheckSpec spec) {
        Probe probe;
        try {
            probe = probes.forCheck(name, spec);
        } catch (RuntimeException e) {
            // Lint should have caught it; run the check anyway so /status and the flip say why it cannot work.
            String why = "cannot run: " + e.getMessage();
            probe = () -> CompletableFuture.completedFuture(CheckResult.down(why, Duration.ZERO));
        }
        ScheduledExecutorService exec = probe.executor().orElse(timer);
        CheckSpec.CheckTiming t = spec.timing();
        // Each check gets its own random stream: its timers run on its own thread, unsynchronized.
        return new Running(name, spec, probe, exec, new Jitter(random.split()),
                RiseFall.start(name, t.rise(), t.fall(), ticker.nanoTime()));
    }

    /** Stops a check from any thread: no run starts after this, no result of it is recorded. */
    private void stop(Running r) {
        r.stopped = true;
        r.watch.close(); // here, not on the executor: close() may shut that down before it runs anything more
        submit(r, () -> {
            cancel(r.next);
            cancel(r.backstop);
        });
    }

    private static void submit(Running r, Runnable task) {
        try {
            r.exec.execute(task);
        } catch (RejectedExecutionException e) {
            // its executor is shut down (the probes were closed first): nothing runs there any more
        }
    }

    // ---- on the check's own executor from here on ----

    private void start(Running r) {
        if (!r.stopped) {
            r.next = r.exec.schedule(() -> run(r), r.jitter.firstDelayNanos(r.spec.timing().interval()), TimeUnit.NANOSECONDS);
            r.watch = r.probe.watch(new Watch.Listener() {
                @Override
                public void lost(String why) {
                    submit(r, () -> runNow(r, why));
                }

                @Override
                public void down(String why) {
                    submit(r, () -> markDown(r, why));
                }
            });
            if (r.stopped) {
                r.watch.close(); // stop() ran meanwhile and saw no watch yet
            }
        }
    }

    /** The check's watch saw its server close the connection: run it now, not at its next interval. */
    private void runNow(Running r, String why) {
        if (r.stopped) {
            return;
        }
        // Not a decision yet (a promotion's CLIENT KILL closes it too): the run's flip, if any, is the log line.
        LOG.debug("check {}: {}, running it now", r.name, why);
        if (r.inFlight != null && !r.inFlight.isDone()) {
            return; // a run is going already; its result is as fresh
        }
        cancel(r.next);
        run(r);
    }

    private void markDown(Running r, String reason) {
        if (!r.stopped) {
            take(r, r.riseFall.knownDown(CheckResult.down(reason, Duration.ZERO), ticker.nanoTime()));
        }
    }

    private void run(Running r) {
        if (r.stopped) {
            return;
        }
        long now = System.nanoTime();
        if (r.inFlight != null && !r.inFlight.isDone()) {
            // The previous run outlived its backstop and is still going: do not pile another on it.
            r.skipped++;
            r.publish();
            scheduleNext(r, now);
            return;
        }
        int seq = ++r.seq;
        r.recorded = false;
        r.runStartNanos = now;
        CompletableFuture<CheckResult> f;
        try {
            f = r.probe.run();
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(CheckResult.down("probe failed to start: " + e, Duration.ZERO));
        }
        r.inFlight = f;
        Duration timeout = r.spec.timing().timeout();
        r.backstop = r.exec.schedule(() -> record(r, seq, CheckResult.down("timed out after " + Durations.format(timeout),
                Duration.ofNanos(System.nanoTime() - now))), timeout.plus(backstopGrace).toNanos(), TimeUnit.NANOSECONDS);
        // For an event-loop probe this completes on r.exec itself, where execute() only enqueues.
        f.whenComplete((result, error) -> submit(r, () -> record(r, seq, result != null ? result
                : CheckResult.down("probe failed: " + error, Duration.ofNanos(System.nanoTime() - now)))));
    }

    private void record(Running r, int seq, CheckResult result) {
        if (r.stopped || seq != r.seq || r.recorded) {
            return; // a stopped or superseded check's late result, or the backstop after the result
        }
        r.recorded = true;
        cancel(r.backstop);
        r.runs++;
        take(r, r.riseFall.observe(result, ticker.nanoTime()));
        scheduleNext(r, r.runStartNanos);
    }

    /** Makes {@code outcome} the check's state, logs its flip and tells the listeners. */
    private void take(Running r, RiseFall.Outcome outcome) {
        r.riseFall = outcome.next();
        CheckStatus status = r.publish();
        outcome.flip().ifPresent(flip -> {
            if (flip.to() == CheckState.DOWN) {
                LOG.warn(flip.sentence());
            } else {
                LOG.info(flip.sentence());
            }
        });
        for (ListenerSlot slot : listeners) {
            slot.deliver(status, outcome.flip());
        }
    }

    private void scheduleNext(Running r, long fromNanos) {
        Duration interval = r.spec.timing().interval();
        long delay = fromNanos + (r.riseFall.nextRunOnTime() ? r.jitter.confirmingDelayNanos(interval)
                : r.jitter.nextDelayNanos(interval)) - System.nanoTime();
        if (delay < 0) {
            // The run took longer than its interval (only via the backstop): that slot is lost.
            r.skipped++;
            r.publish();
            delay = r.jitter.nextDelayNanos(interval);
        }
        try {
            r.next = r.exec.schedule(() -> run(r), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /**
     * One configured check and its schedule. Its mutable fields are touched only on {@link #exec};
     * {@link #status} is published for readers on other threads, {@link #stopped} set from any.
     */
    private static final class Running {
        final String name;
        final CheckSpec spec;
        final Probe probe;
        final ScheduledExecutorService exec;
        final Jitter jitter;
        volatile boolean stopped;
        volatile CheckStatus status;
        RiseFall riseFall;
        /** Set on the executor, closed from any thread (both volatile, so one of start and stop closes it). */
        volatile Watch watch = Watch.NONE;
        ScheduledFuture<?> next;
        ScheduledFuture<?> backstop;
        CompletableFuture<CheckResult> inFlight;
        long runStartNanos;
        int seq;
        boolean recorded;
        long runs;
        long skipped;

        Running(String name, CheckSpec spec, Probe probe, ScheduledExecutorService exec, Jitter jitter, RiseFall riseFall) {
            this.name = name;
            this.spec = spec;
            this.probe = probe;
            this.exec = exec;
            this.jitter = jitter;
            this.riseFall = riseFall;
            publish();
        }

        CheckStatus publish() {
            CheckStatus s = new CheckStatus(name, spec.type(), riseFall.state(), riseFall.sinceNanos(),
                    riseFall.successesInRow(), riseFall.failuresInRow(), riseFall.last(), runs, skipped);
            status = s;
            return s;
        }
    }
}
