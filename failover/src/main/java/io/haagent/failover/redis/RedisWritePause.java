package io.haagent.failover.redis;

import io.haagent.config.VrrpInstance.RedisPromote;
import io.haagent.failover.redis.RedisEndpoint.ActionFailure;
import io.haagent.failover.step.TimedStep;
import io.haagent.failover.vrrp.instance.WritePause;
import io.haagent.time.Ticker;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * The lease's pause on the Redis a MASTER promoted ({@code on_master.redis_promote}): {@code CLIENT PAUSE <ms> WRITE}
 * while the ZooKeeper connection is SUSPENDED, so a write can neither land nor fail during a blip, only wait; and
 * {@code CLIENT UNPAUSE} on RECONNECTED. Reads go on. Redis 6.2 or newer (older ones have no WRITE mode: the pause
 * fails and says so). Blocks for one round trip, bounded by the promoter's timeout.
 */
public final class RedisWritePause implements WritePause {
    private final RedisEndpoint redis;

    RedisWritePause(RedisEndpoint redis) {
        this.redis = redis;
    }

    public static RedisWritePause of(RedisPromote config) {
        return new RedisWritePause(new RedisEndpoint(config.host(), config.port(), config.password(),
                RedisPromoter.DEFAULT_TIMEOUT, Ticker.SYSTEM));
    }

    @Override
    public void pause(long millis) {
        run("CLIENT PAUSE " + millis + " WRITE", "PAUSE", String.valueOf(millis), "WRITE");
    }

    @Override
    public void unpause() {
        run("CLIENT UNPAUSE", "UNPAUSE");
    }

    @Override
    public String describe() {
        return redis.name();
    }

    private void run(String what, String... args) {
        List<TimedStep> ignored = new ArrayList<>();
        try (Jedis jedis = redis.connect()) {
            redis.step(what, ignored, () -> jedis.sendCommand(Protocol.Command.CLIENT, args));
        } catch (ActionFailure e) {
            throw new IllegalStateException(redis.name() + ": " + e.getMessage(), e);
        }
    }
}
