package io.haagent.checker;

import io.haagent.checker.probe.CheckResult;

/**
 * A check's state changed: {@code UNKNOWN -> UP} on its first result, or {@code UP -> DOWN} after
 * {@code fall} failures in a row, or {@code DOWN -> UP} after {@code rise} successes.
 *
 * @param check   the check's name
 * @param from    the state before
 * @param to      the state now
 * @param inARow  how many results in a row agreed (1 for a first result; 0 when it was known down without
 *                waiting for the probe, see {@link CheckScheduler#knownDown})
 * @param result  the result that tipped it
 * @param atNanos ticker time of the flip
 * @param failingSinceNanos for a flip to DOWN, ticker time of the first of the failures in a row that tipped it
 *                (what "down for 25s" in a mail counts from); {@code atNanos} for a flip to UP
 */
public record CheckFlip(String check, CheckState from, CheckState to, int inARow, CheckResult result, long atNanos,
                        long failingSinceNanos) {

    /**
     * The one log line for this flip, e.g. {@code check redis: UP -> DOWN after 2 failures: connect refused}
     * or {@code check web: UNKNOWN -> UP on its first result: HTTP 200 in 3ms}.
     */
    public String sentence() {
        String why;
        if (inARow == 0) {
            why = " at once";
        } else if (from == CheckState.UNKNOWN) {
            why = " on its first result";
        } else if (to == CheckState.DOWN) {
            why = " after " + inARow + (inARow == 1 ? " failure" : " failures");
        } else {
            why = " after " + inARow + (inARow == 1 ? " success" : " successes");
        }
        return "check " + check + ": " + from + " -> " + to + why + ": " + result.reason();
    }
}
