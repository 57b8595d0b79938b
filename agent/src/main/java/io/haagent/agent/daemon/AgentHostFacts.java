package io.haagent.agent.daemon;

import io.haagent.config.Cidr;
import io.haagent.config.Ipv4;
import io.haagent.config.Secret;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.redis.RedisPromoter;
import io.haagent.failover.redis.RewriteCheck;
import io.haagent.lint.HostFacts;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The host facts of {@code haagent lint --host} and of the daemon's lint before start and reload: the
 * machine's interfaces and addresses, and whether a Redis that failover promotes can persist it with
 * {@code CONFIG REWRITE} (asked with the same check the daemon runs at start). A Redis that does not
 * answer is no finding: it may simply not be started yet.
 */
public final class AgentHostFacts implements HostFacts {
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);

    private final HostFacts machine;

    private AgentHostFacts(HostFacts machine) {
        this.machine = machine;
    }

    public static HostFacts system() {
        return new AgentHostFacts(HostFacts.system());
    }

    @Override
    public Set<String> interfaces() {
        return machine.interfaces();
    }

    @Override
    public Set<Ipv4> addresses() {
        return machine.addresses();
    }

    @Override
    public Set<Cidr> loopbackNetworks() {
        return machine.loopbackNetworks();
    }

    @Override
    public Optional<String> redisRewriteProblem(String host, int port, Optional<Secret> password) {
        RewriteCheck c = RedisPromoter.of(new VrrpInstance.RedisPromote(host, port, password, true, Duration.ofSeconds(10)),
                REDIS_TIMEOUT).rewriteCheck();
        return c.reached() ? c.problem() : Optional.empty();
    }
}
