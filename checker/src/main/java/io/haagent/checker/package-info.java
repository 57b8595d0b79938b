/**
 * Running the checks: {@link io.haagent.checker.CheckScheduler} runs every configured check at its
 * interval (with jitter, never overlapping itself), turns results into a {@link io.haagent.checker.CheckState}
 * with rise/fall hysteresis, tells {@link io.haagent.checker.CheckListener}s about every result and
 * every flip, keeps unchanged checks' state across a reload, and answers a snapshot for
 * {@code /status}. The rise/fall decision is a pure function of results and a ticker
 * (package-private {@code RiseFall}); the check types live in {@link io.haagent.checker.probe}.
 */
package io.haagent.checker;
