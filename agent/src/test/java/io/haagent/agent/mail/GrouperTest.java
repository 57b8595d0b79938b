package io.haagent.agent.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GrouperTest {
    static final long S = 1_000_000_000L;
    final Grouper<String> g = new Grouper<>(10 * S);
    final long t0 = 5 * S;

    @Test
    void firstMail_goesAtOnce_andOpensAWindow() {
        assertEquals(List.of(List.of("a")), g.offer("a", t0));
        assertEquals(OptionalLong.of(t0 + 10 * S), g.nextWakeNanos());
    }

    @Test
    void mailsInsideTheWindow_areHeld_thenLeaveAsOneBatchAtItsEnd() {
        g.offer("a", t0);
        assertEquals(List.of(), g.offer("b", t0 + S));
        assertEquals(List.of(), g.offer("c", t0 + 9 * S));
        assertEquals(List.of(), g.due(t0 + 10 * S - 1));

        assertEquals(List.of(List.of("b", "c")), g.due(t0 + 10 * S));
        assertEquals(OptionalLong.of(t0 + 20 * S), g.nextWakeNanos(), "a burst that goes on gets another window");
    }

    @Test
    void quietWindow_closes_andTheNextMailGoesAtOnce() {
        g.offer("a", t0);
        assertEquals(List.of(), g.due(t0 + 10 * S));
        assertTrue(g.nextWakeNanos().isEmpty());
        assertEquals(List.of(List.of("b")), g.offer("b", t0 + 11 * S));
    }

    @Test
    void offerAfterTheWindowEnded_sendsTheDueDigestFirst_andHoldsTheNewMail() {
        g.offer("a", t0);
        g.offer("b", t0 + S);
        // the sender was busy past the window's end: the digest comes out with the next offer, in order
        assertEquals(List.of(List.of("b")), g.offer("c", t0 + 12 * S));
        assertEquals(List.of(List.of("c")), g.due(t0 + 22 * S));
    }

    // Issue 12: a boot mail opened a 10 s window that delayed the first real failover mail.
    @Test
    void urgentMail_insideAWindow_goesAtOnce_withWhatWasHeld_andANewWindowOpens() {
        g.offer("a", t0);
        g.offer("b", t0 + S);
        assertEquals(List.of(List.of("b", "MASTER")), g.offer("MASTER", t0 + 2 * S, true));
        assertEquals(OptionalLong.of(t0 + 12 * S), g.nextWakeNanos());
        assertEquals(List.of(), g.offer("c", t0 + 3 * S), "what follows is grouped again");
        assertEquals(List.of(List.of("c")), g.due(t0 + 12 * S));
    }

    @Test
    void urgentMail_withNothingHeld_goesAlone() {
        g.offer("a", t0);
        assertEquals(List.of(List.of("MASTER")), g.offer("MASTER", t0 + S, true));
        assertEquals(List.of(List.of("FAULT")), new Grouper<String>(10 * S).offer("FAULT", t0, true));
    }

    @Test
    void zeroWindow_turnsGroupingOff() {
        Grouper<String> off = new Grouper<>(0);
        assertEquals(List.of(List.of("a")), off.offer("a", t0));
        assertEquals(List.of(List.of("b")), off.offer("b", t0));
        assertTrue(off.nextWakeNanos().isEmpty());
    }
}
