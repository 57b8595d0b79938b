package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.config.HaagentConfig;
import io.haagent.lint.Linter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisServicesTest {
    private static HaagentConfig config(String track, int promotePort) {
        String yaml = """
                checks:
                  redis: { type: redis, port: 6379 }
                  other: { type: tcp, address: "127.0.0.1:9000" }
                services:
                  redis: { checks: [redis, other], restart_command: ["/bin/true"] }
                  app: { checks: [other], restart_command: ["/bin/true"] }
                vrrp:
                  vip:
                    vrid: 51
                    transport: udp
                    unicast: { source: 127.0.0.1, peers: ["127.0.0.2"] }
                    track: %s
                    on_master:
                      redis_promote: { host: localhost, port: %d }
                """.formatted(track, promotePort);
        Linter.Linted linted = Linter.lint(new Linter.Source("t.yaml", yaml), Linter.Options.DEFAULT);
        return linted.config().orElseThrow(() -> new AssertionError(linted.findings().toString()));
    }

    @Test
    void theServiceWhoseRedisCheckFaultsTheInstance_isHeld_withThatCheck() {
        HaagentConfig c = config("[ { check: redis, weight: 0 }, { check: other, weight: 0 } ]", 6379);
        assertEquals(Map.of("redis", List.of("redis")), RedisServices.heldBy(c, c.vrrp().get("vip")));
    }

    @Test
    void nothingIsHeld_whenNoFailureWouldEndTheHold() {
        HaagentConfig weighted = config("[ { check: redis, weight: -20 } ]", 6379);
        assertEquals(Map.of(), RedisServices.heldBy(weighted, weighted.vrrp().get("vip")), "a weight only lowers the priority");
        HaagentConfig untracked = config("[]", 6379);
        assertEquals(Map.of(), RedisServices.heldBy(untracked, untracked.vrrp().get("vip")));
        HaagentConfig otherRedis = config("[ { check: redis, weight: 0 } ]", 6380);
        assertEquals(Map.of(), RedisServices.heldBy(otherRedis, otherRedis.vrrp().get("vip")), "another Redis is promoted");
    }
}
