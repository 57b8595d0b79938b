package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.config.Ipv4;
import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The old master's hand-over hold, on a fake clock. */
class HandoverTest {
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Ipv4 PEER = Ipv4.parse("10.0.1.11");

    private final FakeTicker clock = new FakeTicker();

    @Test
    void newMasterHeard_releasesOneSettleLater_notBefore() {
        Handover h = Handover.left(clock.nanoTime(), "ev1");
        clock.advance(Duration.ofMillis(300));
        h = h.heard(PEER, 100, clock.nanoTime());
        long heardAt = clock.nanoTime();

        assertEquals(new Handover.Verdict.Wait(heardAt + SETTLE.toNanos()), h.decide(clock.nanoTime(), SETTLE, TIMEOUT));
        clock.advance(SETTLE.minusNanos(1));
        assertEquals(new Handover.Verdict.Wait(heardAt + SETTLE.toNanos()), h.decide(clock.nanoTime(), SETTLE, TIMEOUT));
        clock.advance(Duration.ofNanos(1));
        assertEquals(new Handover.Verdict.Release("the new master 10.0.1.11 has taken over"),
                h.decide(clock.nanoTime(), SETTLE, TIMEOUT));
    }

    @Test
    void noNewMaster_releasesAtTheTimeout() {
        Handover h = Handover.left(clock.nanoTime(), "ev1");
        long timeoutAt = clock.nanoTime() + TIMEOUT.toNanos();

        assertEquals(new Handover.Verdict.Wait(timeoutAt), h.decide(clock.nanoTime(), SETTLE, TIMEOUT));
        clock.advance(TIMEOUT);
        assertEquals(new Handover.Verdict.Release("no new master within 5000 ms"), h.decide(clock.nanoTime(), SETTLE, TIMEOUT));
    }

    @Test
    void aGoodbyeAdvert_isNoNewMaster_andOnlyTheFirstMasterAdvertCounts() {
        Handover h = Handover.left(clock.nanoTime(), "ev1");
        h = h.heard(PEER, 0, clock.nanoTime());
        assertEquals(new Handover.Verdict.Wait(clock.nanoTime() + TIMEOUT.toNanos()), h.decide(clock.nanoTime(), SETTLE, TIMEOUT));

        clock.advance(Duration.ofMillis(100));
        h = h.heard(PEER, 100, clock.nanoTime());
        long firstAt = clock.nanoTime();
        clock.advance(Duration.ofMillis(500));
        h = h.heard(Ipv4.parse("10.0.1.12"), 120, clock.nanoTime());
        assertEquals(new Handover.Verdict.Wait(firstAt + SETTLE.toNanos()), h.decide(clock.nanoTime(), SETTLE, TIMEOUT));
    }

    @Test
    void heardLateInTheTimeout_theTimeoutStillBounds() {
        Handover h = Handover.left(clock.nanoTime(), "ev1");
        long timeoutAt = clock.nanoTime() + TIMEOUT.toNanos();
        clock.advance(TIMEOUT.minusMillis(200));
        h = h.heard(PEER, 100, clock.nanoTime());
        assertEquals(new Handover.Verdict.Wait(timeoutAt), h.decide(clock.nanoTime(), SETTLE, TIMEOUT));
    }
}
