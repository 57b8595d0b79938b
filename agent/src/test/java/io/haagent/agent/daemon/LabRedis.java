package io.haagent.agent.daemon;

import io.haagent.checker.probe.RedisReplication;
import io.haagent.testkit.NetnsThread;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/** Asks a Redis inside a lab host, from a thread in the lab ({@link NetnsThread}). */
final class LabRedis {
    private LabRedis() {}

    /** {@code INFO replication} of the Redis at {@code address:port} as key → value; empty when it does not answer. */
    static Map<String, String> replication(NetnsThread from, String address, int port) {
        return from.call(() -> {
            try (Jedis j = new Jedis(address, port, 500)) {
                return RedisReplication.parseInfo(j.info("replication"));
            } catch (JedisException e) {
                return Map.of();
            }
        });
    }

    /** True when that Redis is a replica of {@code master} with its link up. */
    static boolean replicates(NetnsThread from, String address, int port, String master) {
        Map<String, String> info = replication(from, address, port);
        return "slave".equals(info.get("role")) && master.equals(info.get("master_host"))
                && "up".equals(info.get("master_link_status"));
    }
}
