package io.haagent.agent.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RequestRateTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aBurst_passesAtOnce_thenOneRequestPerInterval() {
        RequestRate rate = new RequestRate(2, 3);
        long t = 5 * S;
        assertEquals(0, rate.take(t));
        assertEquals(0, rate.take(t));
        assertEquals(0, rate.take(t));
        assertEquals(S / 2, rate.take(t), "the fourth waits for half a second at 2/s");
        assertEquals(S / 2, rate.take(t), "a refused request takes nothing");
        assertEquals(0, rate.take(t + S / 2));
        assertEquals(S / 2, rate.take(t + S / 2));
    }

    @Test
    void aQuietSpell_refillsTheBurst_butNoMore() {
        RequestRate rate = new RequestRate(10, 2);
        assertEquals(0, rate.take(0));
        assertEquals(0, rate.take(0));
        long later = 60 * S;
        assertEquals(0, rate.take(later));
        assertEquals(0, rate.take(later));
        assertEquals(S / 10, rate.take(later));
    }
}
