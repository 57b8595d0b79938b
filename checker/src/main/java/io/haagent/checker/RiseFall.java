package io.haagent.checker;

import io.haagent.checker.probe.CheckResult;

import java.util.Optional;

/**
 * keepalived-style hysteresis as a pure value: the state flips only after {@code rise} successes or
 * {@code fall} failures in a row — except the first result after a start, which decides at once,
 * because waiting {@code fall} intervals to call a dead service dead at boot helps nobody.
 */
record RiseFall(String check, int rise, int fall, CheckState state, long sinceNanos, int successesInRow,
                int failuresInRow, long failingSinceNanos, Optional<CheckResult> last) {

    RiseFall {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1, not " + rise + " and " + fall);
        }
    }

    /** A check just (re)started: UNKNOWN since {@code nowNanos}. */
    static RiseFall start(String check, int rise, int fall, long nowNanos) {
        return new RiseFall(check, rise, fall, CheckState.UNKNOWN, nowNanos, 0, 0, nowNanos, Optional.empty());
    }

    /** The new state, and the flip if there was one. */
    /**
     * Whether the next run must come no later than the interval (see {@link Jitter#confirmingDelayNanos}): for
     * an UP check, whose next result may be the first of {@code fall} failures — so that from a break to DOWN
     * takes at most {@code fall} intervals (plus the last run's own time), as the README promises — and for a
     * DOWN check counting successes towards {@code rise}. Other runs swing either way.
     */
    boolean nextRunOnTime() {
        return state == CheckState.UP || (state == CheckState.DOWN && successesInRow > 0);
    }

    record Outcome(RiseFall next, Optional<CheckFlip> flip) {}

    Outcome observe(CheckResult result, long nowNanos) {
        int successes = result.up() ? successesInRow + 1 : 0;
        int failures = result.up() ? 0 : failuresInRow + 1;
        long failingSince = failures == 1 ? nowNanos : failingSinceNanos;
        CheckState to = switch (state) {
            case UNKNOWN -> result.up() ? CheckState.UP : CheckState.DOWN;
            case UP -> failures >= fall ? CheckState.DOWN : CheckState.UP;
            case DOWN -> successes >= rise ? CheckState.UP : CheckState.DOWN;
        };
        if (to == state) {
            return new Outcome(
                    new RiseFall(check, rise, fall, state, sinceNanos, successes, failures, failingSince, Optional.of(result)),
                    Optional.empty());
        }
        CheckFlip flip = new CheckFlip(check, state, to, result.up() ? successes : failures, result, nowNanos,
                result.up() ? nowNanos : failingSince);
        return new Outcome(
                new RiseFall(check, rise, fall, to, nowNanos, successes, failures, failingSince, Optional.of(result)),
                Optional.of(flip));
    }

    /**
     * Down now, whatever the count: something surer than the probe says so (the process behind the
     * check exited). It counts as {@code fall} failures, so {@code rise} successes bring it back up.
     */
    Outcome knownDown(CheckResult why, long nowNanos) {
        long failingSince = failuresInRow > 0 ? failingSinceNanos : nowNanos;
        RiseFall next = new RiseFall(check, rise, fall, CheckState.DOWN, state == CheckState.DOWN ? sinceNanos : nowNanos,
                0, Math.max(failuresInRow, fall), failingSince, Optional.of(why));
        return new Outcome(next, state == CheckState.DOWN ? Optional.empty()
                : Optional.of(new CheckFlip(check, state, CheckState.DOWN, 0, why, nowNanos, failingSince)));
    }
}
