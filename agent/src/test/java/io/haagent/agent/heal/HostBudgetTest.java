package io.haagent.agent.heal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.NodeConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HostBudgetTest {
    private static final long S = 1_000_000_000L;

    @Test
    void spentBudget_availableAgainWhenTheOldestGrantAgesOut() {
        HostBudget b = HostBudget.of(new NodeConfig.RestartBudget(2, Duration.ofSeconds(60)));
        b = b.spend(10 * S).spend(20 * S);
        assertFalse(b.available(30 * S));
        assertEquals(70 * S, b.availableAtNanos(30 * S));
        assertTrue(b.available(70 * S));
        assertEquals(1, b.spent(70 * S));
    }

    @Test
    void negativeTicker_stillOrdersByDifference() {
        HostBudget b = HostBudget.of(new NodeConfig.RestartBudget(1, Duration.ofSeconds(1))).spend(-5 * S);
        assertFalse(b.available(-5 * S + S / 2));
        assertTrue(b.available(-4 * S));
    }
}
