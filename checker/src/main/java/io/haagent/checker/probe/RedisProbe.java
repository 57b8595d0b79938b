package io.haagent.checker.probe;

import io.haagent.config.CheckSpec;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code redis}: PING, then ROLE and INFO replication, so the result carries the role, the
 * replica's link and the offsets that failover decides on. Jedis blocks, so each run has its own
 * connection on a virtual thread; the check's timeout is Jedis' connect and socket timeout, and at
 * the deadline the socket is closed under it. A LOADING or MASTERDOWN reply fails the check with
 * Redis' own words (ROLE and INFO still answer then, so a stale replica's offsets are kept).
 */
final class RedisProbe implements Probe {
    private final CheckSpec.Redis spec;
    private final ProbeContext ctx;

    RedisProbe(CheckSpec.Redis spec, ProbeContext ctx) {
        this.spec = spec;
        this.ctx = ctx;
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        long start = ctx.ticker().nanoTime();
        AtomicReference<Jedis> connection = new AtomicReference<>();
        Duration timeout = spec.timing().timeout();
        return ctx.blocking(start, timeout, timeout, () -> probe(start, connection), () -> {
            Jedis j = connection.get();
            if (j != null) {
                j.close(); // unblocks the virtual thread's read with an exception it then ignores
            }
        });
    }

    @Override
    public Watch watch(Watch.Listener listener) {
        return RedisWatch.start(spec, ctx, listener);
    }

    private CheckResult probe(long start, AtomicReference<Jedis> connection) throws ProbeFailure {
        try (Jedis jedis = connect(spec)) {
            connection.set(jedis);
            String refusal = null;
            try {
                jedis.ping();
            } catch (JedisDataException e) {
                refusal = Reasons.shorten(e.getMessage()); // LOADING ..., MASTERDOWN ..., NOAUTH ...
            }
            RedisReplication replication = null;
            String roleError = null;
            try {
                replication = RedisReplication.parse(jedis.role(), jedis.info("replication"));
            } catch (JedisDataException | IllegalArgumentException e) {
                roleError = Reasons.shorten(e.getMessage());
            }
            Duration took = ctx.since(start);
            CheckResult result;
            if (refusal != null) {
                result = CheckResult.down(refusal, took);
            } else if (replication != null) {
                result = CheckResult.up(replication.describe(), took);
            } else {
                // PING answered but ROLE did not (renamed, or denied by an ACL): the server is up
                result = CheckResult.up("PONG, no role: " + roleError, took);
            }
            return replication == null ? result : result.withReplication(replication);
        }
    }

    /**
     * A new connection to the checked Redis, authenticated; the check's timeout bounds the connect and
     * every reply. The password is read at every call, so a rotated password file takes effect without a
     * reload.
     */
    static Jedis connect(CheckSpec.Redis spec) throws ProbeFailure {
        return RedisClients.client(spec.host(), spec.port(), spec.timing().timeout(), password(spec));
    }

    private static Optional<String> password(CheckSpec.Redis spec) throws ProbeFailure {
        if (spec.password().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(spec.password().get().reveal());
        } catch (IOException e) {
            throw new ProbeFailure("cannot read password file " + e.getMessage(), e);
        }
    }
}
