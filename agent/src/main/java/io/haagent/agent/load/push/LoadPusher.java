package io.haagent.agent.load.push;

import io.haagent.agent.load.PushedSample;
import io.haagent.time.Backoff;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a load sample every interval and gets it to the sink, on its own thread {@code load-push}: the first sample
 * at once, then one per interval (late by a slow send, it skips ahead rather than catching up in a burst). What to
 * send and when is {@link PushBacklog}'s to decide; this class performs it and logs the decision's sentences.
 *
 * <p>Checks, healing and VRRP never wait for it: they share nothing with this thread, and every sink call is bounded
 * by the sink's own timeout. {@link #close} stops the thread within {@link #CLOSE_WAIT} (interrupting a send that
 * takes longer) and then closes the sink.
 */
public final class LoadPusher implements AutoCloseable {
    /** The wait before retrying a failed sample: 1 s, doubling to 30 s, up to 25 % longer so a fleet spreads out. */
    public static final Backoff DEFAULT_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.25);
    /** How long {@link #close} waits for a send in flight before interrupting it. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(LoadPusher.class);

    private final Supplier<PushedSample> sampler;
    private final LoadSink sink;
    private final long intervalNanos;
    private final PushBacklog<PushedSample> backlog;
    private final PushListener listener;
    private final Ticker ticker;
    private final InstantSource wallClock;
    private final SplittableRandom random = new SplittableRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final Thread thread;
    private volatile boolean closed;
    private final AtomicBoolean sinkClosed = new AtomicBoolean();
    private boolean samplingFailed;

    /**
     * @param sampler   takes one sample (the load sampler); called on the push thread
     * @param sink      where samples go; this pusher owns it and closes it
     * @param interval  how often a sample is taken ({@code scaler.push.interval})
     * @param buffer    how many samples are kept while the sink is down ({@code scaler.push.buffer})
     * @param backoff   the wait before retrying a failed sample ({@link #DEFAULT_BACKOFF})
     * @param listener  the metrics
     * @param ticker    the monotonic clock the schedule and the backoff run on
     * @param wallClock the time of the last success, for the metric humans read
     */
    public LoadPusher(Supplier<PushedSample> sampler, LoadSink sink, Duration interval, int buffer, Backoff backoff,
                      PushListener listener, Ticker ticker, InstantSource wallClock) {
        if (!interval.isPositive()) {
            throw new IllegalArgumentException("the load push interval must be positive: " + interval);
        }
        this.sampler = sampler;
        this.sink = sink;
        this.intervalNanos = interval.toNanos();
        this.backlog = new PushBacklog<>(sink.name(), buffer, backoff);
        this.listener = listener;
        this.ticker = ticker;
        this.wallClock = wallClock;
        this.thread = new Thread(this::run, "load-push");
        thread.setDaemon(true);
    }

    /** Starts the thread: the first sample is taken at once. */
    public LoadPusher start() {
        thread.start();
        return this;
    }

    /**
     * Stops the thread within {@link #CLOSE_WAIT} and a second: after the wait it is interrupted and the sink is
     * closed under it, which aborts a send that hangs (a sink's close does that, see {@link LoadSink#close}).
     */
    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            woken.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (thread.isAlive()) {
                thread.join(CLOSE_WAIT);
                if (thread.isAlive()) {
                    thread.interrupt();
                    closeSinkOnce();
                    thread.join(Duration.ofSeconds(1));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeSinkOnce();
        }
    }

    private void closeSinkOnce() {
        if (sinkClosed.compareAndSet(false, true)) {
            sink.close();
        }
    }

    private void run() {
        long nextSampleAt = ticker.nanoTime();
        while (!closed) {
            long now = ticker.nanoTime();
            if (now - nextSampleAt >= 0) {
                sample();
                nextSampleAt += intervalNanos;
                if (now - nextSampleAt >= 0) {
                    nextSampleAt = now + intervalNanos; // late by more than an interval: skip, no burst
                }
            }
            Optional<PushedSample> head = backlog.due(now);
            if (head.isPresent()) {
                send(head.get());
                continue;
            }
            long wakeAt = Math.min(nextSampleAt, backlog.nextAttemptAtNanos());
            sleepUntil(wakeAt);
        }
    }

    private void sample() {
        PushedSample sample;
        try {
            sample = sampler.get();
        } catch (RuntimeException e) {
            if (!samplingFailed) {
                log.warn("load push: taking a sample failed ({}); retrying every interval", String.valueOf(e), e);
                samplingFailed = true;
            }
            return;
        }
        if (samplingFailed) {
            log.info("load push: taking samples again");
            samplingFailed = false;
        }
        if (backlog.offer(sample)) {
            tell(PushListener::dropped);
        }
        int buffered = backlog.size();
        tell(l -> l.buffered(buffered));
    }

    private void send(PushedSample sample) {
        try {
            sink.send(sample);
            backlog.sent(ticker.nanoTime()).ifPresent(log::info);
            tell(l -> l.sent(wallClock.instant()));
        } catch (SinkFailure f) {
            failed(f.reason(), f.sentence());
        } catch (RuntimeException e) {
            // a sink's bug costs a retry, never the thread
            failed(FailureReason.OTHER, String.valueOf(e));
        }
        int buffered = backlog.size();
        tell(l -> l.buffered(buffered));
    }

    private void failed(FailureReason reason, String why) {
        if (closed) {
            return; // interrupted by close(): the sink is not down, the agent is leaving
        }
        backlog.failed(ticker.nanoTime(), reason, why, random.nextDouble()).ifPresent(log::warn);
        tell(l -> l.failed(reason));
    }

    private void sleepUntil(long wakeAtNanos) {
        lock.lock();
        try {
            long wait = wakeAtNanos - ticker.nanoTime();
            if (wait > 0 && !closed) {
                woken.awaitNanos(wait);
            }
        } catch (InterruptedException e) {
            closed = true; // only close() interrupts this thread
        } finally {
            lock.unlock();
        }
    }

    /** A listener that throws is logged, never stops the push (STYLE §12). */
    private void tell(Consumer<PushListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            log.warn("load push: the metrics listener failed: {}", String.valueOf(e), e);
        }
    }
}
