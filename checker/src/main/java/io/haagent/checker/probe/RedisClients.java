package io.haagent.checker.probe;

import java.time.Duration;
import java.util.Optional;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The one way haagent makes a Redis client: the check, the role actions, the load push's sink and its
 * throughput reader. Not yet connected (Jedis connects at its first command, or at
 * {@code getConnection().connect()} for callers that want a refused connection to fail there).
 */
public final class RedisClients {
    private RedisClients() {}

    /** {@code timeout} bounds the connect and every reply; {@code password} authenticates (AUTH) when present. */
    public static Jedis client(String host, int port, Duration timeout, Optional<String> password) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                // CLIENT SETINFO costs a round trip on every connection and fails on Redis < 7.2 anyway
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        password.ifPresent(config::password);
        return new Jedis(new HostAndPort(host, port), config.build());
    }
}
