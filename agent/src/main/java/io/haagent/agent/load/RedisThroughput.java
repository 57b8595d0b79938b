package io.haagent.agent.load;

import io.haagent.checker.probe.RedisClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The application's throughput from its Redis: one {@code INFO} per sample, named as redis_exporter names them —
 * {@code redis_commands_processed_total}, {@code redis_instantaneous_ops_per_sec}, {@code redis_connected_clients},
 * {@code redis_memory_used_bytes}, {@code redis_memory_max_bytes} (0: no {@code maxmemory}),
 * {@code redis_evicted_keys_total}; on a replica also {@code redis_master_link_up} and the replication lag as
 * {@code redis_master_last_io_seconds_ago} (seconds since the master last spoke; -1 while the link was never up).
 * The lag is that and not an offset difference: a replica knows only its own offset, the master's would take a
 * second connection to another host.
 *
 * <p>One connection is kept between samples and opened again after a failure; {@link #close()} ends it.
 */
public final class RedisThroughput implements LoadReader, AutoCloseable {
    private final String host;
    private final int port;
    private final Optional<String> password;
    private final Duration timeout;
    private Jedis jedis;

    /**
     * @param password the {@code AUTH} password when the Redis wants one (read from its file by the caller)
     * @param timeout  connect and read timeout, each
     */
    public RedisThroughput(String host, int port, Optional<String> password, Duration timeout) {
        this.host = host;
        this.port = port;
        this.password = password;
        this.timeout = timeout;
    }

    @Override
    public synchronized void read(Readings into) throws JedisException {
        String info;
        try {
            if (jedis == null) {
                jedis = RedisClients.client(host, port, timeout, password);
            }
            info = jedis.info();
        } catch (JedisException e) {
            close();
            throw e;
        }
        Map<String, String> f = fields(info);
        put(into, f, "redis_commands_processed_total", "total_commands_processed");
        put(into, f, "redis_instantaneous_ops_per_sec", "instantaneous_ops_per_sec");
        put(into, f, "redis_connected_clients", "connected_clients");
        put(into, f, "redis_memory_used_bytes", "used_memory");
        put(into, f, "redis_memory_max_bytes", "maxmemory");
        put(into, f, "redis_evicted_keys_total", "evicted_keys");
        if ("slave".equals(f.get("role"))) {
            into.put("redis_master_link_up", "up".equals(f.get("master_link_status")) ? 1L : 0L);
            put(into, f, "redis_master_last_io_seconds_ago", "master_last_io_seconds_ago");
        } else {
            put(into, f, "redis_connected_slaves", "connected_slaves");
            replicaLags(into, f);
        }
    }

    /**
     * A master's view of its replicas: {@code slave0:ip=10.0.1.11,port=6379,state=online,offset=123,lag=0}, the
     * seconds since each last acknowledged, as redis_exporter's {@code redis_connected_slave_lag_seconds}.
     */
    private static void replicaLags(Readings into, Map<String, String> f) {
        for (int i = 0; f.containsKey("slave" + i); i++) {
            Map<String, String> replica = new HashMap<>();
            for (String kv : f.get("slave" + i).split(",")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    replica.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            String ip = replica.get("ip");
            String port = replica.get("port");
            String lag = replica.get("lag");
            if (ip != null && port != null && lag != null) {
                try {
                    into.put("redis_connected_slave_lag_seconds", Long.parseLong(lag), "slave_ip", ip, "slave_port",
                            port);
                } catch (NumberFormatException e) {
                    // a Redis that writes something else there: no series rather than a made-up one
                }
            }
        }
    }

    private static Map<String, String> fields(String info) {
        Map<String, String> out = new HashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.charAt(0) != '#') {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }

    private static void put(Readings into, Map<String, String> f, String series, String field) {
        String v = f.get(field);
        if (v == null) {
            return; // an older Redis without it: no series rather than a made-up 0
        }
        try {
            into.put(series, Long.parseLong(v));
        } catch (NumberFormatException e) {
            into.put(series, Double.parseDouble(v));
        }
    }

    @Override
    public String what() {
        return "Redis throughput (INFO from " + host + ":" + port + ")";
    }

    @Override
    public synchronized void close() {
        if (jedis != null) {
            jedis.close();
            jedis = null;
        }
    }
}
