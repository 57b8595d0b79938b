package io.haagent.agent.load.push;

import io.haagent.agent.load.PushedSample;
import io.haagent.checker.probe.RedisClients;
import io.haagent.config.Durations;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The {@code redis} sink: each sample one {@code MULTI}, so a reader never sees half a sample:
 * {@code DEL} the host's hash, {@code HSET} every field of the sample plus {@code seq} and {@code time} (epoch
 * seconds), {@code PEXPIRE} it after the ttl; {@code ZADD} the node to its role's hosts set scored by the sample's
 * time, {@code ZREMRANGEBYSCORE} the members older than that time minus the ttl, {@code PEXPIRE} the set too. A
 * scaler reads every live host of a role in one round trip ({@code ZRANGE} the set, then each hash).
 *
 * <p>A resent old sample cannot overwrite a newer one: samples are sent in order, so the newest write is always the
 * last. One connection is kept and made anew after any failure; connect and read have the same timeout.
 */
public final class RedisLoadSink implements LoadSink {
    private final String host;
    private final int port;
    private final Optional<String> password;
    private final String key;
    private final String hostsKey;
    private final Duration ttl;
    private final Duration timeout;
    /** Volatile: {@link #close} from another thread aborts a send under way by closing it. */
    private volatile Jedis connection;

    /**
     * @param key      the hash's key template (config Defaults.REDIS_SINK_KEY)
     * @param hostsKey the hosts set's key template (config Defaults.REDIS_SINK_HOSTS_KEY)
     * @param ttl      how long a host's hash and its place in the set outlive its last sample
     * @param timeout  the most connecting, and each round trip, may take
     */
    public RedisLoadSink(String host, int port, Optional<String> password, String key, String hostsKey, Duration ttl,
                         Duration timeout) {
        this.host = host;
        this.port = port;
        this.password = password;
        this.key = key;
        this.hostsKey = hostsKey;
        this.ttl = ttl;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "redis " + address();
    }

    @Override
    public void send(PushedSample sample) throws SinkFailure {
        String hash = fill(key, sample);
        String hosts = fill(hostsKey, sample);
        double seconds = sample.time().toEpochMilli() / 1000.0;
        Map<String, String> fields = new LinkedHashMap<>(sample.fields());
        fields.put("seq", Long.toString(sample.seq()));
        fields.put("time", BigDecimal.valueOf(sample.time().toEpochMilli(), 3).stripTrailingZeros().toPlainString());
        long ttlMillis = Math.max(1, ttl.toMillis());
        try {
            Transaction multi = connection().multi();
            multi.del(hash);
            multi.hset(hash, fields);
            multi.pexpire(hash, ttlMillis);
            multi.zadd(hosts, seconds, sample.node());
            multi.zremrangeByScore(hosts, Double.NEGATIVE_INFINITY, seconds - ttlMillis / 1000.0);
            multi.pexpire(hosts, ttlMillis);
            List<Object> replies = multi.exec();
            for (Object reply : replies == null ? List.of() : replies) {
                if (reply instanceof JedisDataException e) {
                    throw e;
                }
            }
        } catch (JedisException e) {
            disconnect();
            throw failure(e);
        }
    }

    @Override
    public void close() {
        disconnect();
    }

    private Jedis connection() {
        Jedis kept = connection;
        if (kept != null) {
            return kept;
        }
        {
            Jedis jedis = RedisClients.client(host, port, timeout, password);
            try {
                jedis.getConnection().connect(); // Jedis connects lazily; fail here, not inside the MULTI
            } catch (JedisException e) {
                jedis.close();
                throw e;
            }
            connection = jedis;
            return jedis;
        }
    }

    private void disconnect() {
        Jedis c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (JedisException e) {
                // already broken: that is why it goes
            }
        }
    }

    static String fill(String template, PushedSample sample) {
        return template.replace("{role}", sample.role()).replace("{node}", sample.node());
    }

    private String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    private SinkFailure failure(JedisException e) {
        for (Throwable c : causes(e)) {
            if (c instanceof JedisAccessControlException
                    || c instanceof JedisDataException && String.valueOf(c.getMessage()).startsWith("NOAUTH")) {
                return new SinkFailure(FailureReason.AUTH, c.getMessage(), e);
            }
            if (c instanceof JedisDataException) {
                return new SinkFailure(FailureReason.OTHER, c.getMessage(), e);
            }
            if (c instanceof ConnectException) {
                return new SinkFailure(FailureReason.CONNECT, "connection refused", e);
            }
            if (c instanceof NoRouteToHostException) {
                return new SinkFailure(FailureReason.CONNECT, "no route to host", e);
            }
            if (c instanceof UnknownHostException) {
                return new SinkFailure(FailureReason.CONNECT, "unknown host " + host, e);
            }
            if (c instanceof SocketTimeoutException) {
                return new SinkFailure(FailureReason.TIMEOUT, "no answer within " + Durations.format(timeout), e);
            }
        }
        if (String.valueOf(e.getMessage()).contains("Unexpected end of stream")) {
            return new SinkFailure(FailureReason.CONNECT, "Redis closed the connection", e);
        }
        return new SinkFailure(FailureReason.OTHER, String.valueOf(e.getMessage()), e);
    }

    /** The exception, its causes, and what they suppressed: Jedis 6 hangs each failed address's error there. */
    private static List<Throwable> causes(Throwable e) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable c = e; c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
            all.addAll(List.of(c.getSuppressed()));
        }
        return all;
    }
}
