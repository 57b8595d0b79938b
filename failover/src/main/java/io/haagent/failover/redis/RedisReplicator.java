package io.haagent.failover.redis;

import io.haagent.config.VrrpInstance.RedisReplicate;
import io.haagent.failover.step.TimedStep;
import io.haagent.failover.redis.RedisEndpoint.ActionFailure;
import io.haagent.time.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code on_backup.redis_replicate}: makes the local Redis a replica of the new master.
 *
 * <p>{@link #replicate(String)} is idempotent: a Redis that already replicates that master gets no
 * {@code REPLICAOF} (Redis 7 would answer "+OK Already connected to specified master", older ones
 * may resync), only the config rewrite when {@code config_rewrite} is on. It blocks for a few round
 * trips, each bounded by the timeout; call it off the VRRP loop.
 */
public final class RedisReplicator {
    private final RedisEndpoint redis;
    private final RedisReplicate config;

    RedisReplicator(RedisReplicate config, Duration timeout, Ticker ticker) {
        this.config = Objects.requireNonNull(config, "config");
        this.redis = new RedisEndpoint(config.host(), config.port(), config.password(), timeout, ticker);
    }

    public static RedisReplicator of(RedisReplicate config) {
        return of(config, RedisPromoter.DEFAULT_TIMEOUT);
    }

    /** With a connect and socket timeout per round trip other than {@link RedisPromoter#DEFAULT_TIMEOUT}. */
    public static RedisReplicator of(RedisReplicate config, Duration timeout) {
        return new RedisReplicator(config, timeout, Ticker.SYSTEM);
    }

    /**
     * {@code REPLICAOF masterHost master_port} and {@code CONFIG REWRITE} (when {@code config_rewrite})
     * in one {@code MULTI}, then {@code INFO replication} on a fresh connection must name that master.
     * The link need not be up yet: the sync may take a while and is the redis check's business.
     *
     * @param masterHost the new master's address, as the peer advertised it
     */
    public ReplicationResult replicate(String masterHost) {
        Objects.requireNonNull(masterHost, "masterHost");
        String master = masterHost.indexOf(':') >= 0 ? "[" + masterHost + "]:" + config.masterPort()
                : masterHost + ":" + config.masterPort();
        List<TimedStep> steps = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        boolean wasReplica;
        String did;
        try (Jedis jedis = redis.connect()) {
            Info before = Info.parse(redis.step("INFO replication", steps, () -> jedis.info("replication")));
            wasReplica = before.isReplicaOf(masterHost, config.masterPort());
            if (wasReplica) {
                did = "already a replica of " + master + ", nothing to change";
                if (config.configRewrite()) {
                    redis.step("CONFIG REWRITE", steps, () -> rewrite(jedis::configRewrite, warnings));
                }
            } else {
                String what = "REPLICAOF " + masterHost + " " + config.masterPort()
                        + (config.configRewrite() ? " + CONFIG REWRITE" : "");
                Queued replies = redis.step("MULTI, " + what.replace(" + ", ", ") + ", EXEC", steps, () -> {
                    Transaction tx = jedis.multi();
                    Response<Object> replicaOf = tx.sendCommand(Protocol.Command.REPLICAOF, masterHost,
                            String.valueOf(config.masterPort()));
                    Response<Object> rewrite = config.configRewrite() ? tx.sendCommand(Protocol.Command.CONFIG, "REWRITE") : null;
                    tx.exec(); // EXECABORT throws: nothing ran
                    return new Queued(replicaOf, rewrite);
                });
                try {
                    replies.replicaOf().get();
                } catch (JedisDataException e) {
                    throw new ActionFailure("REPLICAOF " + master + " failed: " + e.getMessage(), e);
                }
                if (replies.rewrite() != null) {
                    rewrite(replies.rewrite()::get, warnings);
                }
                did = "now a replica of " + master + " (" + what + " in " + TimedStep.millis(steps.getLast().took()) + ")";
            }
        } catch (ActionFailure e) {
            return failed(master, e.getMessage(), steps);
        }
        Optional<String> runId;
        try (Jedis fresh = redis.connect()) {
            Info after = Info.parse(redis.step("INFO replication (confirm master)", steps, () -> fresh.info("replication")));
            runId = redis.runId(fresh, steps);
            if (!after.isReplicaOf(masterHost, config.masterPort())) {
                return failed(master, "Redis reports role:" + after.text("role").orElse("?")
                        + after.text("master_host").map(h -> " of " + after.master()).orElse("") + " afterwards", steps);
            }
        } catch (ActionFailure e) {
            return failed(master, "confirming the new master: " + e.getMessage(), steps);
        }
        StringBuilder sentence = new StringBuilder(redis.name()).append(": ").append(did);
        warnings.forEach(w -> sentence.append("; WARNING: ").append(w));
        return new ReplicationResult.Replicated(sentence.toString(), wasReplica, steps, warnings, runId);
    }

    /**
     * Whether a role change could be persisted in the config file; empty when it can, or when
     * {@code config_rewrite} is off. For startup and reload, like {@link RedisPromoter#checkRewritable()}.
     */
    public Optional<String> checkRewritable() {
        return rewriteCheck().problem();
    }

    /** As {@link #checkRewritable()}, saying also whether Redis could be asked at all. */
    public RewriteCheck rewriteCheck() {
        return config.configRewrite() ? redis.checkRewritable() : RewriteCheck.FINE;
    }

    private static Object rewrite(Supplier<Object> reply, List<String> warnings) {
        try {
            return reply.get();
        } catch (JedisDataException e) {
            warnings.add("CONFIG REWRITE failed (" + e.getMessage() + "), so a restart of this Redis would bring back"
                    + " its old role: give it a config file it can write and run CONFIG REWRITE");
            return null;
        }
    }

    private record Queued(Response<Object> replicaOf, Response<Object> rewrite) {}

    private ReplicationResult failed(String master, String reason, List<TimedStep> steps) {
        return new ReplicationResult.Failed(redis.name() + ": could not become a replica of " + master + " because "
                + reason, reason, steps);
    }
}
