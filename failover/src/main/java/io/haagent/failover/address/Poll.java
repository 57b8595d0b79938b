package io.haagent.failover.address;

import io.haagent.time.Ticker;
import java.time.Duration;

/**
 * A bounded wait with backoff, measured on the injected ticker: {@code firstPoll}, doubling up to
 * {@code maxPoll}, never past the deadline. Not the SDK's waiters: its ENI waiter polls every 20 s,
 * which would add up to 20 s to every failover.
 */
final class Poll {
    private final Ticker ticker;
    private final Edges.Pause pause;
    private final long deadline;
    private final Duration max;
    private Duration next;
    private int polls;

    Poll(Edges edges, AddressMovers.Timeouts timeouts) {
        this.ticker = edges.ticker();
        this.pause = edges.pause();
        this.deadline = ticker.nanoTime() + timeouts.deadline().toNanos();
        this.next = timeouts.firstPoll();
        this.max = timeouts.maxPoll();
    }

    boolean expired() {
        return ticker.nanoTime() - deadline >= 0;
    }

    /** Waits for the next poll; an interrupt (the agent stopping) ends the wait. */
    void pause() throws InterruptedException {
        polls++;
        long left = Math.max(0, deadline - ticker.nanoTime());
        Duration d = Duration.ofNanos(Math.min(next.toNanos(), left));
        next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
        pause.pause(d);
    }

    int polls() {
        return polls;
    }
}
