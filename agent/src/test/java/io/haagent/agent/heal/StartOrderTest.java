package io.haagent.agent.heal;

import static io.haagent.agent.heal.Sim.policy;
import static io.haagent.agent.heal.Sim.processService;
import static io.haagent.agent.heal.Sim.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartOrderTest {
    @Test
    void dependenciesFirst_fileOrderBreaksTies() {
        var s = services(Map.entry("web", processService("web", policy(1), "redis", "db")),
                Map.entry("worker", processService("worker", policy(1), "redis")),
                Map.entry("db", processService("db", policy(1))),
                Map.entry("redis", processService("redis", policy(1))),
                Map.entry("cron", processService("cron", policy(1))));
        assertEquals(List.of("db", "redis", "web", "worker", "cron"), StartOrder.of(s));
    }

    @Test
    void cycle_isRefusedWithTheLintRuleName() {
        var s = services(Map.entry("a", processService("a", policy(1), "b")),
                Map.entry("b", processService("b", policy(1), "a")));
        var e = assertThrows(IllegalArgumentException.class, () -> StartOrder.of(s));
        assertTrue(e.getMessage().contains("service.dependency-cycle"), e.getMessage());
    }
}
