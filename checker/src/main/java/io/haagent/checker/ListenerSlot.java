package io.haagent.checker;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener with its own ordered queue and thread (as Curator gives each listener its own
 * executor): a slow listener delays only itself, a throwing one breaks only its own call.
 *
 * <p>Events are handed over in batches, at most {@link #BATCH} after they happened: waking the
 * listener's thread for each of thousands of results a second would cost more than the checks.
 */
final class ListenerSlot {
    private static final Logger LOG = LoggerFactory.getLogger(CheckScheduler.class);
    static final Duration BATCH = Duration.ofMillis(5);

    final CheckListener listener;
    private final ScheduledExecutorService timer;
    private final ExecutorService thread;
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushPending = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();

    ListenerSlot(CheckListener listener, ScheduledExecutorService timer) {
        this.listener = listener;
        this.timer = timer;
        this.thread = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("haagent-check-listener").factory());
    }

    void deliver(CheckStatus status, Optional<CheckFlip> flip) {
        events.add(() -> {
            call(() -> listener.resultRecorded(status));
            flip.ifPresent(f -> call(() -> listener.stateChanged(f)));
        });
        if (flushPending.compareAndSet(false, true)) {
            try {
                timer.schedule(this::flush, BATCH.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                flush(); // the timer is gone (closing): hand over at once
            }
        }
    }

    private void flush() {
        try {
            thread.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // removed or closed meanwhile
        }
    }

    /** On the listener's thread: everything queued so far, in order. */
    private void drain() {
        flushPending.set(false); // from here on a new event schedules a new flush
        for (Runnable event; (event = events.poll()) != null; ) {
            event.run();
        }
    }

    private void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            long n = failures.incrementAndGet();
            // Log the 1st, 2nd, 4th, 8th ... failure: a listener that always throws must not flood the log.
            if (Long.bitCount(n) == 1) {
                LOG.warn("check listener {} failed ({} time{} so far); the checks go on", listener, n, n == 1 ? "" : "s", e);
            }
        }
    }

    /** Delivers what is queued, then stops the listener's thread. */
    void shutdown() {
        flush();
        thread.shutdown();
    }
}
