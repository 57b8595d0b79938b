package io.haagent.agent.daemon;

import io.haagent.config.CheckSpec;
import io.haagent.config.HaagentConfig;
import io.haagent.config.VrrpInstance;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which services healing must not restart while a VRRP instance is MASTER: the ones that run the Redis
 * the instance promotes. A master whose Redis has persistence off comes back empty from a restart, and
 * its replica copies the emptiness; the instance fails over first, and the service is restarted once this
 * node is no longer MASTER (as a replica).
 *
 * <p>A service is held when one of its checks is a {@code redis} check of the promoted Redis's port that
 * the instance tracks with weight 0: only then does the failure itself take the node out of MASTER and so
 * end the hold. A hold nothing would end would leave the Redis down for good. The same checks are known
 * down the moment the supervised process exits, so the failover starts without waiting for {@code fall}
 * failed runs.
 */
final class RedisServices {
    private RedisServices() {}

    /**
     * The services {@code instance} holds while MASTER, each with its checks that bring the instance to
     * FAULT (a weight-0 tracked {@code redis} check of the promoted Redis); sorted, empty when it promotes
     * no Redis.
     */
    static Map<String, List<String>> heldBy(HaagentConfig config, VrrpInstance instance) {
        if (instance.onMaster().redisPromote().isEmpty()) {
            return Map.of();
        }
        VrrpInstance.RedisPromote redis = instance.onMaster().redisPromote().get();
        Set<String> faultingChecks = new TreeSet<>();
        for (VrrpInstance.Track t : instance.track()) {
            if (t.weight() == 0 && config.checks().get(t.check()) instanceof CheckSpec.Redis r
                    && redis.isProbedBy(r)) {
                faultingChecks.add(t.check());
            }
        }
        Map<String, List<String>> held = new TreeMap<>();
        config.services().forEach((name, s) -> {
            List<String> checks = s.checks().stream().filter(faultingChecks::contains).sorted().toList();
            if (!checks.isEmpty()) {
                held.put(name, checks);
            }
        });
        return Collections.unmodifiableMap(held);
    }
}
