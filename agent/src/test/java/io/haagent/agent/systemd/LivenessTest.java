package io.haagent.agent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LivenessTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void loopsThatBeatWithinTheirMargin_areAlive() {
        long start = ticker.nanoTime();
        ticker.advance(Duration.ofSeconds(10)); // ten periods: the margin, not past it
        assertTrue(Liveness.stuck(List.of(new Liveness.Loop("the heal loop", start, SECOND),
                new Liveness.Loop("the check scheduler", ticker.nanoTime(), SECOND)), ticker.nanoTime()).isEmpty());
    }

    @Test
    void aLoopSilentPastItsMargin_isStuck_andNamedWithHowLongAndItsPeriod() {
        long start = ticker.nanoTime();
        ticker.advance(Duration.ofSeconds(41));
        var stuck = Liveness.stuck(List.of(new Liveness.Loop("the check scheduler", ticker.nanoTime(), SECOND),
                new Liveness.Loop("the heal loop", start, SECOND)), ticker.nanoTime()).orElseThrow();
        assertEquals("the heal loop has not run for 41 s (expected every 1 s)", stuck.sentence());
    }

    @Test
    void eachLoopIsJudgedByItsOwnPeriod_theMostOverdueIsNamed() {
        long start = ticker.nanoTime();
        ticker.advance(Duration.ofSeconds(15));
        long now = ticker.nanoTime();
        // silent 15 s: stuck at a 1 s period, alive at a 2 s one (margin 20 s)
        var loops = List.of(new Liveness.Loop("VRRP instance slow's loop", start, Duration.ofSeconds(2)),
                new Liveness.Loop("VRRP instance fast's loop", start, SECOND));
        assertEquals("VRRP instance fast's loop", Liveness.stuck(loops, now).orElseThrow().loop().name());
        ticker.advance(Duration.ofSeconds(30)); // 45 s: slow is 25 s past its 20 s margin, fast 35 s past its 10 s
        assertEquals("VRRP instance fast's loop", Liveness.stuck(loops, ticker.nanoTime()).orElseThrow().loop().name());
    }

    @Test
    void subSecondPeriods_areSaidInMilliseconds() {
        long start = ticker.nanoTime();
        ticker.advance(Duration.ofSeconds(3));
        assertEquals("the check scheduler has not run for 3 s (expected every 200 ms)",
                Liveness.stuck(List.of(new Liveness.Loop("the check scheduler", start, Duration.ofMillis(200))),
                        ticker.nanoTime()).orElseThrow().sentence());
    }

    @Test
    void statusLine_saysTheChecksByStateAndEachInstance() {
        assertEquals("12 checks up, 1 down; redis-vip MASTER", StatusLine.of(12, 1, 0, Map.of("redis-vip", "MASTER")));
        assertEquals("1 check up, 0 down", StatusLine.of(1, 0, 0, Map.of()));
        assertEquals("0 checks up, 0 down, 2 unknown; a BACKUP, b not running",
                StatusLine.of(0, 0, 2, new java.util.TreeMap<>(Map.of("a", "BACKUP", "b", "not running"))));
        assertEquals("no checks", StatusLine.of(0, 0, 0, Map.of()));
    }
}
