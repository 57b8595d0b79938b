package io.haagent.agent.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ServiceStateTest {
    /** Dashboards map these numbers; they must never change (STYLE §7). Add states at the end. */
    @Test
    void codes_neverChange() {
        assertEquals("Values: 0 STOPPED, 1 STARTING, 2 RUNNING, 3 BACKOFF, 4 RESTARTING, 5 FATAL, 6 PAUSED, 7 HELD,"
                + " 8 WAITING, 9 ESCALATING, 10 DOWN", ServiceState.LEGEND);
        for (ServiceState s : ServiceState.values()) {
            assertEquals(s, ServiceState.ofCode(s.code()));
        }
    }
}
