package io.haagent.aws;

import io.haagent.time.Backoff;
import io.haagent.time.Ticker;
import java.time.Duration;

/**
 * A bounded wait measured on the injected ticker: pause {@code n} waits {@code waits.wait(n)}, never
 * past the deadline. Not the SDK's waiters: its ENI waiter polls every 20 s, which would add up to 20 s
 * to every failover. Not thread-safe: one per wait.
 */
public final class Poll {
    private final Ticker ticker;
    private final Pause pause;
    private final Backoff waits;
    private final long start;
    private final long deadline;
    private int polls;

    /**
     * @param limit how long from now the polls may go on
     * @param waits the pauses: the movers' double from the first to the longest, the restarter's stay
     *              the same (first == max)
     */
    public Poll(Ticker ticker, Pause pause, Duration limit, Backoff waits) {
        this.ticker = ticker;
        this.pause = pause;
        this.waits = waits;
        this.start = ticker.nanoTime();
        this.deadline = start + limit.toNanos();
    }

    /** Whether the deadline has come: the caller looks once more at most, then gives up. */
    public boolean expired() {
        return ticker.nanoTime() - deadline >= 0;
    }

    /** Waits before the next poll, never past the deadline; an interrupt (the agent stopping) ends the wait. */
    public void pause() throws InterruptedException {
        polls++;
        long left = Math.max(0, deadline - ticker.nanoTime());
        pause.pause(Duration.ofNanos(Math.min(waits.nanos(polls, 0), left)));
    }

    /** How many pauses so far. */
    public int polls() {
        return polls;
    }

    /** Time since the poll began. */
    public Duration elapsed() {
        return Duration.ofNanos(ticker.nanoTime() - start);
    }
}
