package io.haagent.checker;

import io.haagent.checker.probe.CheckResult;

import java.time.Duration;
import java.util.Optional;

/**
 * One check as {@code /status} shows it: an immutable snapshot.
 *
 * @param name           the check's name
 * @param type           its {@code type:} word ({@code http}, {@code redis}, ...)
 * @param state          after rise/fall
 * @param sinceNanos     ticker time of the last flip (or of the start, while {@link CheckState#UNKNOWN})
 * @param successesInRow consecutive successes up to the last result
 * @param failuresInRow  consecutive failures up to the last result
 * @param last           the last result, if any
 * @param runs           results recorded since the check was (re)started
 * @param skippedRuns    runs not started because the previous one was still going when they were due
 */
public record CheckStatus(String name, String type, CheckState state, long sinceNanos, int successesInRow,
                          int failuresInRow, Optional<CheckResult> last, long runs, long skippedRuns) {

    /** The last result's reason, or "" before the first. */
    public String lastReason() {
        return last.map(CheckResult::reason).orElse("");
    }

    /** How long the last run took. */
    public Optional<Duration> lastDuration() {
        return last.map(CheckResult::duration);
    }
}
