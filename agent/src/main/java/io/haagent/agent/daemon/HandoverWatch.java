package io.haagent.agent.daemon;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Carries out one instance's {@link Handover}, the pure decision: begins it when this node leaves MASTER, feeds it
 * the adverts heard, and ends the hold on the Redis services when its verdict says so, waking on the failover's
 * timer when the verdict is to wait. Any thread.
 */
final class HandoverWatch {
    /** How long the new master has to promote its Redis before the old master's Redis may be restarted. */
    private static final Duration PROMOTION_SETTLE = Duration.ofSeconds(1);

    /** Ends the hold; {@code reason} completes "releasing ... for healing: ", {@code eventId} is the leaving's. */
    interface Release {
        void release(String reason, String eventId);
    }

    private final Ticker ticker;
    private final ScheduledExecutorService timer;
    private final Release release;
    /** While this node hands MASTER over; null otherwise. */
    private final AtomicReference<Handover> handover = new AtomicReference<>();
    private volatile Duration timeout;
    /** The master that took over from this node the last time it handed MASTER over. */
    private volatile Ipv4 lastNewMaster;

    HandoverWatch(VrrpInstance config, Ticker ticker, ScheduledExecutorService timer, Release release) {
        this.ticker = ticker;
        this.timer = timer;
        this.release = release;
        this.timeout = timeout(config);
    }

    /** Three master-down intervals (3 adverts + skew each), at least 5 s: time for any peer to take over. */
    private static Duration timeout(VrrpInstance config) {
        return Duration.ofMillis(Math.max(5000, 3 * (3 * config.advertInterval().toMillis() + 1000)));
    }

    /** A reload's settings: the next decisions wait for its advert interval. */
    void reconfigure(VrrpInstance next) {
        timeout = timeout(next);
    }

    /** This node left MASTER in event {@code eventId}: its Redis service stays held until the hand-over releases it. */
    void left(String eventId) {
        handover.set(Handover.left(ticker.nanoTime(), eventId));
        decide();
    }

    /** No hand-over under way any more: this node is MASTER again, or the instance stops. */
    void cancel() {
        handover.set(null);
    }

    /** An advert arrived from {@code peer}. */
    void heard(Ipv4 peer, int priority) {
        Handover before = handover.get();
        if (before == null) {
            return;
        }
        long now = ticker.nanoTime();
        if (handover.compareAndSet(before, before.heard(peer, priority, now)) && handover.get() != before) {
            decide(); // only a master advertises: the peer has taken over
        }
    }

    /** The master that took over the last time this node handed MASTER over; empty when none did. */
    Optional<Ipv4> lastNewMaster() {
        return Optional.ofNullable(lastNewMaster);
    }

    /** Releases the held services when the hand-over says so, else comes back when it is due. Any thread. */
    private void decide() {
        Handover h = handover.get();
        if (h == null) {
            return;
        }
        long now = ticker.nanoTime();
        switch (h.decide(now, PROMOTION_SETTLE, timeout)) {
            case Handover.Verdict.Release r -> {
                lastNewMaster = h.newMaster().orElse(null); // none took over: no master to follow, not an old one
                if (handover.compareAndSet(h, null)) {
                    release.release(r.reason(), h.eventId());
                }
            }
            case Handover.Verdict.Wait w -> {
                try {
                    timer.schedule(this::decide, Math.max(0, w.wakeAtNanos() - now), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // shutting down: the holds end with the listener
                }
            }
        }
    }
}
