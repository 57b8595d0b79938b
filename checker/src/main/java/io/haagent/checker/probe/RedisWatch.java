package io.haagent.checker.probe;

import io.haagent.config.CheckSpec;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A {@code redis} check's watch: one idle connection to its Redis, named {@code haagent-watch}, that
 * Redis closes when its process dies, is killed or restarts. Then the check runs at once
 * ({@link Watch.Listener#lost}), and the watch reconnects at once: refused, the Redis is reported down
 * ({@link Watch.Listener#down}), since nothing listens on its port any more; answered by another
 * {@code run_id} than before (a Redis restarted while unwatched), the check runs once more. A
 * connection an operator killed ({@code CLIENT KILL}) finds the same Redis and reconnects quietly.
 *
 * <p>The connection is subscribed to a channel nobody publishes to: Redis exempts subscribed clients
 * from its idle {@code timeout}, and {@code CLIENT NO-EVICT on} (Redis 7) from client eviction under
 * {@code maxmemory-clients}. A hung Redis (stopped, in {@code DEBUG SLEEP}, a blocked event loop) keeps
 * the connection open: the periodic runs and their timeout catch it.
 */
final class RedisWatch implements Watch {
    private static final Logger LOG = LoggerFactory.getLogger(RedisWatch.class);

    /** What {@code CLIENT LIST} shows for the watch connection. */
    static final String CLIENT_NAME = "haagent-watch";
    /** Nothing is published here; subscribing only keeps the connection out of the idle timeout. */
    static final String CHANNEL = "__haagent_watch__";
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    /**
     * Reconnects tried quickly after a loss, for the refusal that proves the server gone: a process being killed
     * may still have its listening socket for a moment, which accepts the connection and then resets it.
     */
    private static final int TRIES_AFTER_LOSS = 5;
    private static final Duration RETRY_AFTER_LOSS = Duration.ofMillis(20);
    private static final Duration MAX_RETRY = Duration.ofSeconds(1);

    private final CheckSpec.Redis spec;
    private final Watch.Listener listener;
    private final AtomicReference<Jedis> connection = new AtomicReference<>();
    private volatile boolean closed;
    /** The run_id of the Redis last watched; on the watch thread only. */
    private String runId;

    private RedisWatch(CheckSpec.Redis spec, Watch.Listener listener) {
        this.spec = spec;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    static Watch start(CheckSpec.Redis spec, ProbeContext ctx, Watch.Listener listener) {
        RedisWatch watch = new RedisWatch(spec, listener);
        try {
            ctx.blocking().execute(watch::loop);
        } catch (RejectedExecutionException e) {
            return Watch.NONE; // the checker is shutting down
        }
        return watch;
    }

    @Override
    public void close() {
        closed = true;
        Jedis j = connection.getAndSet(null);
        if (j != null) {
            j.close(); // ends the blocked read of the watch thread
        }
    }

    private void loop() {
        Duration retry = FIRST_RETRY;
        int triesLeftAfterLoss = 0;
        // interrupted: the checker's executor is shutting down (its probes closed before their checks)
        while (!closed && !Thread.currentThread().isInterrupted()) {
            Jedis jedis;
            String id;
            try {
                jedis = RedisProbe.connect(spec);
                connection.set(jedis);
                id = prepare(jedis);
            } catch (Exception e) {
                closeQuietly(connection.getAndSet(null));
                if (closed) {
                    return;
                }
                boolean afterLoss = triesLeftAfterLoss > 0;
                if (afterLoss && Reasons.refused(e)) {
                    listener.down("connect refused after the server closed the watch connection");
                    triesLeftAfterLoss = 0;
                } else if (afterLoss) {
                    triesLeftAfterLoss--;
                }
                Duration wait = triesLeftAfterLoss > 0 ? RETRY_AFTER_LOSS : retry;
                LOG.debug("redis {}:{}: watch cannot connect, retrying in {}: {}", spec.host(), spec.port(), wait,
                        Reasons.of(e, spec.timing().timeout()));
                if (!pause(wait)) {
                    return;
                }
                if (triesLeftAfterLoss == 0) {
                    retry = retry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry.multipliedBy(2);
                }
                continue;
            }
            retry = FIRST_RETRY;
            triesLeftAfterLoss = 0;
            if (runId != null && id != null && !id.equals(runId)) {
                // Up again already: a run tells whether it is fine. Not down, which would make healing restart it.
                listener.lost("the server restarted: run_id " + abbreviate(runId) + " is now " + abbreviate(id));
            }
            if (id != null) {
                runId = id;
            }
            if (closed) {
                closeQuietly(jedis);
                return;
            }
            try {
                jedis.subscribe(new JedisPubSub() {}, CHANNEL); // blocks while the connection lives
            } catch (RuntimeException e) {
                // the server closed or reset it, or close() did
            } finally {
                connection.compareAndSet(jedis, null);
                closeQuietly(jedis);
            }
            if (closed) {
                return;
            }
            triesLeftAfterLoss = TRIES_AFTER_LOSS;
            listener.lost("the server closed the watch connection");
        }
    }

    /** Names the connection, protects it where Redis allows, and returns the server's run_id (null if hidden). */
    private static String prepare(Jedis jedis) {
        try {
            jedis.clientSetname(CLIENT_NAME);
            jedis.clientNoEvictOn();
        } catch (JedisDataException e) {
            // Redis < 7.0 has no client eviction to be protected from, or an ACL denies CLIENT: watch all the same
        }
        try {
            return RedisReplication.parseInfo(jedis.info("server")).get("run_id");
        } catch (JedisDataException e) {
            return null; // INFO denied by an ACL: restarts are then seen only as a closed connection
        }
    }

    private boolean pause(Duration d) {
        try {
            Thread.sleep(d);
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void closeQuietly(Jedis j) {
        if (j != null) {
            try {
                j.close();
            } catch (RuntimeException e) {
                // already broken
            }
        }
    }

    private static String abbreviate(String runId) {
        return runId.length() > 8 ? runId.substring(0, 8) : runId;
    }
}
