package io.haagent.failover.vrrp.instance;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One wake-up at most on an instance's loop, for a decision core's {@code nextWakeAtNanos}: each decision's answer
 * replaces the previous one, and one that has fired is armed anew whatever the next answer is. The election and the
 * lease each have one. Confined to the loop thread.
 */
final class WakeUp {
    private final ScheduledExecutorService loop;
    private final Runnable onWake;
    private ScheduledFuture<?> wake;
    private long wakeAt = Long.MAX_VALUE;

    /** {@code onWake} runs on the loop when the time comes. */
    WakeUp(ScheduledExecutorService loop, Runnable onWake) {
        this.loop = loop;
        this.onWake = onWake;
    }

    /** Wake at ticker time {@code at} ({@link Long#MAX_VALUE}: not at all), {@code now} being the ticker's time. */
    void at(long at, long now) {
        if (wake != null && at == wakeAt) {
            return;
        }
        cancel();
        wakeAt = at;
        if (at == Long.MAX_VALUE) {
            return;
        }
        try {
            wake = loop.schedule(() -> {
                wake = null; // this one has fired: whatever the decision answers, arm anew
                onWake.run();
            }, Math.max(0, at - now), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the instance is stopping: nothing is left to wake
        }
    }

    void cancel() {
        if (wake != null) {
            wake.cancel(false);
            wake = null;
        }
    }
}
