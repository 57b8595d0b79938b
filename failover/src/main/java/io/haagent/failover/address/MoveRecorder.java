package io.haagent.failover.address;

import io.haagent.failover.step.TimedStep;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Records the steps of one mover call as they are done, timed on the injected ticker, and turns them into
 * the call's {@link MoveResult} or {@link AddressMoveException}. Not thread-safe: one per call.
 */
final class MoveRecorder {
    private final Ticker ticker;
    private final long start;
    private final List<TimedStep> done = new ArrayList<>();

    MoveRecorder(Ticker ticker) {
        this.ticker = ticker;
        this.start = ticker.nanoTime();
    }

    long now() {
        return ticker.nanoTime();
    }

    /** Records a step that began at {@code sinceNanos} (a {@link #now()} reading) and ended now. */
    void add(String what, long sinceNanos) {
        done.add(new TimedStep(what, Duration.ofNanos(Math.max(0, ticker.nanoTime() - sinceNanos))));
    }

    List<TimedStep> list() {
        return List.copyOf(done);
    }

    boolean isEmpty() {
        return done.isEmpty();
    }

    Duration total() {
        return Duration.ofNanos(ticker.nanoTime() - start);
    }

    /** {@code "done: a; b; then "} for a failure sentence, or nothing when no step was done. */
    String doneSoFar() {
        if (done.isEmpty()) {
            return "";
        }
        return "done: " + String.join("; ", done.stream().map(TimedStep::what).toList()) + "; then ";
    }

    MoveResult result(String sentence, boolean changed) {
        return new MoveResult(sentence, done, changed);
    }

    AddressMoveException failure(String sentence, Throwable cause) {
        return new AddressMoveException(sentence, done, cause);
    }

    /** This instance's id (IMDSv2); a failure starts with {@code prefix} and says why it is not known. */
    String thisInstance(InstanceIdentity identity, String prefix) throws AddressMoveException {
        try {
            return identity.instanceId();
        } catch (AddressMoveException e) {
            throw failure(prefix + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw failure(prefix + "cannot tell which instance this is: " + e, e);
        }
    }

    /** {@code 250ms}, {@code 2.5s}, {@code 1m5s}: what an operator reads in a mail. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return ms % 1000 == 0 ? ms / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        return ms / 60_000 + "m" + (ms % 60_000) / 1000 + "s";
    }
}
