package io.haagent.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.checker.probe.CheckResult;
import io.haagent.testkit.FakeTicker;
import io.haagent.time.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RiseFallTest {
    private final FakeTicker fake = new FakeTicker();
    private final Ticker ticker = fake::nanoTime;
    private final List<CheckFlip> flips = new ArrayList<>();

    private static final CheckResult OK = CheckResult.up("HTTP 200 in 3ms", Duration.ofMillis(3));
    private static final CheckResult REFUSED = CheckResult.down("connect refused", Duration.ofMillis(1));

    private RiseFall feed(RiseFall rf, CheckResult... results) {
        for (CheckResult r : results) {
            fake.advance(Duration.ofSeconds(1));
            RiseFall.Outcome outcome = rf.observe(r, ticker.nanoTime());
            outcome.flip().ifPresent(flips::add);
            rf = outcome.next();
        }
        return rf;
    }

    private RiseFall fresh(int rise, int fall) {
        return RiseFall.start("redis", rise, fall, ticker.nanoTime());
    }

    /**
     * Issue 12: the run after a success of an UP check was jittered either way, so the first of {@code fall}
     * failures could come at interval + 10%, and {@code fall} failures took more than {@code fall} intervals.
     */
    @Test
    void upCheck_nextRunIsOnTime_evenAfterASuccess() {
        RiseFall up = feed(fresh(2, 3), OK);
        assertEquals(CheckState.UP, up.state());
        assertTrue(up.nextRunOnTime(), "a healthy UP check: its next run may be the first failure");
        assertTrue(feed(up, REFUSED).nextRunOnTime());
        RiseFall down = feed(fresh(2, 3), REFUSED);
        assertEquals(CheckState.DOWN, down.state());
        assertFalse(down.nextRunOnTime(), "a DOWN check with no success pending swings either way");
        assertTrue(feed(down, OK).nextRunOnTime(), "a success pending towards rise");
    }

    @Test
    void start_isUnknownSinceNow_withCodeZero() {
        RiseFall rf = fresh(2, 3);
        assertEquals(CheckState.UNKNOWN, rf.state());
        assertEquals(0, rf.state().code());
        assertEquals(fake.nanoTime(), rf.sinceNanos());
        assertTrue(rf.last().isEmpty());
    }

    @Test
    void unknown_firstSuccess_goesUpAtOnceDespiteRiseThree() {
        RiseFall rf = feed(fresh(3, 3), OK);
        assertEquals(CheckState.UP, rf.state());
        assertEquals(1, flips.size());
        assertEquals("check redis: UNKNOWN -> UP on its first result: HTTP 200 in 3ms", flips.getFirst().sentence());
        assertEquals(fake.nanoTime(), rf.sinceNanos());
    }

    @Test
    void unknown_firstFailure_goesDownAtOnceDespiteFallThree() {
        RiseFall rf = feed(fresh(2, 3), REFUSED);
        assertEquals(CheckState.DOWN, rf.state());
        assertEquals(CheckState.UNKNOWN, flips.getFirst().from());
        assertEquals(CheckState.DOWN, flips.getFirst().to());
    }

    @Test
    void up_twoFailuresWithFallThree_staysUp() {
        RiseFall rf = feed(fresh(2, 3), OK, REFUSED, REFUSED);
        assertEquals(CheckState.UP, rf.state());
        assertEquals(2, rf.failuresInRow());
        assertEquals(1, flips.size());
    }

    @Test
    void up_threeFailuresWithFallThree_goesDown() {
        RiseFall rf = feed(fresh(2, 3), OK);
        long upSince = rf.sinceNanos();
        rf = feed(rf, REFUSED, REFUSED);
        assertEquals(upSince, rf.sinceNanos(), "no flip, no new since");
        rf = feed(rf, REFUSED);
        assertEquals(CheckState.DOWN, rf.state());
        assertEquals(fake.nanoTime(), rf.sinceNanos());
        CheckFlip flip = flips.getLast();
        assertEquals(3, flip.inARow());
        assertEquals(fake.nanoTime(), flip.atNanos());
        assertEquals("check redis: UP -> DOWN after 3 failures: connect refused", flip.sentence());
    }

    // Issue 12: a check_down mail says how long the check has been failing, counted from the first failure
    // of the run that tipped it, not from the flip.
    @Test
    void down_flipCarriesWhenItsFailuresBegan() {
        RiseFall rf = feed(fresh(2, 3), OK, REFUSED, OK);
        rf = feed(rf, REFUSED);
        long firstFailure = fake.nanoTime();
        feed(rf, REFUSED, REFUSED);
        CheckFlip flip = flips.getLast();
        assertEquals(CheckState.DOWN, flip.to());
        assertEquals(firstFailure, flip.failingSinceNanos());
        assertEquals(Duration.ofSeconds(2).toNanos(), flip.atNanos() - flip.failingSinceNanos());
    }

    @Test
    void knownDown_afterFailures_countsFromTheFirstOfThem_elseFromNow() {
        RiseFall rf = feed(fresh(2, 3), OK, REFUSED);
        long firstFailure = fake.nanoTime();
        fake.advance(Duration.ofSeconds(1));
        CheckFlip flip = rf.knownDown(REFUSED, fake.nanoTime()).flip().orElseThrow();
        assertEquals(firstFailure, flip.failingSinceNanos());

        RiseFall up = feed(fresh(2, 3), OK);
        CheckFlip atOnce = up.knownDown(REFUSED, fake.nanoTime()).flip().orElseThrow();
        assertEquals(atOnce.atNanos(), atOnce.failingSinceNanos());
    }

    @Test
    void up_failuresInterruptedBySuccess_countFromZeroAgain() {
        RiseFall rf = feed(fresh(2, 3), OK, REFUSED, REFUSED, OK, REFUSED, REFUSED);
        assertEquals(CheckState.UP, rf.state());
        assertEquals(1, flips.size());
        rf = feed(rf, REFUSED);
        assertEquals(CheckState.DOWN, rf.state());
    }

    @Test
    void down_oneSuccessWithRiseTwo_staysDown() {
        RiseFall rf = feed(fresh(2, 3), REFUSED, OK);
        assertEquals(CheckState.DOWN, rf.state());
        assertEquals(1, rf.successesInRow());
    }

    @Test
    void down_twoSuccessesWithRiseTwo_goesUp() {
        RiseFall rf = feed(fresh(2, 3), REFUSED, OK, OK);
        assertEquals(CheckState.UP, rf.state());
        assertEquals("check redis: DOWN -> UP after 2 successes: HTTP 200 in 3ms", flips.getLast().sentence());
    }

    @Test
    void up_oneFailureWithFallOne_goesDown_sentenceSaysOneFailure() {
        RiseFall rf = feed(fresh(1, 1), OK, REFUSED);
        assertEquals(CheckState.DOWN, rf.state());
        assertEquals("check redis: UP -> DOWN after 1 failure: connect refused", flips.getLast().sentence());
    }

    @Test
    void steadyState_reportsNoFlip_butKeepsTheLastResult() {
        CheckResult other = CheckResult.up("HTTP 200 in 5ms", Duration.ofMillis(5));
        RiseFall rf = feed(fresh(2, 3), OK, OK, other);
        assertEquals(1, flips.size());
        assertEquals(other, rf.last().orElseThrow());
        assertEquals(3, rf.successesInRow());
    }

    @Test
    void flapping_belowThresholds_neverFlips() {
        RiseFall rf = feed(fresh(2, 2), OK);
        for (int i = 0; i < 10; i++) {
            rf = feed(rf, REFUSED, OK);
        }
        assertEquals(CheckState.UP, rf.state());
        assertEquals(1, flips.size());
    }

    @Test
    void stateCodes_areStable() {
        assertEquals(0, CheckState.UNKNOWN.code());
        assertEquals(1, CheckState.UP.code());
        assertEquals(2, CheckState.DOWN.code());
    }

    @Test
    void riseOrFallBelowOne_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> RiseFall.start("x", 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> RiseFall.start("x", 1, 0, 0));
        assertFalse(flips.iterator().hasNext());
    }

    @Test
    void knownDown_fromUp_flipsAtOnce_andRiseSuccessesBringItBack() {
        RiseFall rf = feed(fresh(2, 3), OK);
        fake.advance(Duration.ofMillis(5));
        CheckResult exited = CheckResult.down("the process of service redis exited (code 137)", Duration.ZERO);
        RiseFall.Outcome outcome = rf.knownDown(exited, ticker.nanoTime());
        assertEquals(CheckState.DOWN, outcome.next().state());
        assertEquals("check redis: UP -> DOWN at once: the process of service redis exited (code 137)",
                outcome.flip().orElseThrow().sentence());
        assertEquals(ticker.nanoTime(), outcome.next().sinceNanos());
        flips.clear();
        rf = feed(outcome.next(), OK);
        assertEquals(CheckState.DOWN, rf.state(), "one success of rise 2 is not enough");
        rf = feed(rf, OK);
        assertEquals(CheckState.UP, rf.state());
        assertEquals(1, flips.size());
    }

    @Test
    void knownDown_whenDownAlready_isNoFlip_andKeepsTheSince() {
        RiseFall rf = feed(fresh(1, 1), REFUSED);
        long since = rf.sinceNanos();
        fake.advance(Duration.ofSeconds(3));
        RiseFall.Outcome outcome = rf.knownDown(REFUSED, ticker.nanoTime());
        assertTrue(outcome.flip().isEmpty());
        assertEquals(since, outcome.next().sinceNanos());
    }
}
