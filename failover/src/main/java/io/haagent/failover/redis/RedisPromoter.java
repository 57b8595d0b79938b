package io.haagent.failover.redis;

import io.haagent.config.VrrpInstance.RedisPromote;
import io.haagent.failover.step.TimedStep;
import io.haagent.failover.redis.PromotionGuard.Verdict;
import io.haagent.failover.redis.RedisEndpoint.ActionFailure;
import io.haagent.time.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code on_master.redis_promote}: makes the local Redis a master, unless that would lose data.
 *
 * <p>{@link #promote(boolean)} is idempotent: on a Redis that is master already it changes nothing
 * (but the config file, when {@code config_rewrite} is on) and confirms the role. It blocks for a
 * few round trips, each bounded by the timeout; call it off the VRRP loop.
 */
public final class RedisPromoter {
    /** Connect and socket timeout unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final RedisEndpoint redis;
    private final RedisPromote config;

    RedisPromoter(RedisPromote config, Duration timeout, Ticker ticker) {
        this.config = Objects.requireNonNull(config, "config");
        this.redis = new RedisEndpoint(config.host(), config.port(), config.password(), timeout, ticker);
    }

    public static RedisPromoter of(RedisPromote config) {
        return of(config, DEFAULT_TIMEOUT);
    }

    /** With a connect and socket timeout per round trip other than {@link #DEFAULT_TIMEOUT}. */
    public static RedisPromoter of(RedisPromote config, Duration timeout) {
        return new RedisPromoter(config, timeout, Ticker.SYSTEM);
    }

    /**
     * Guards, promotes and confirms:
     * <ol>
     *   <li>{@code INFO replication} and {@code INFO persistence}; refuses a replica that is loading,
     *       never synced, or whose link has been down longer than {@code max_link_down} — unless
     *       {@code force} (the operator accepts the data loss).
     *   <li>One {@code MULTI}: {@code REPLICAOF NO ONE}, {@code CONFIG REWRITE} (when
     *       {@code config_rewrite}), {@code CLIENT KILL TYPE normal}, {@code CLIENT KILL TYPE pubsub},
     *       {@code EXEC} — what Redis Sentinel sends, so clients reconnect and find the new master.
     *       {@code CLIENT KILL} skips the caller ({@code SKIPME yes} is the default), so our own
     *       connection lives to read the {@code EXEC} reply. A failed rewrite is a warning, not a
     *       rollback: a master that would revert on restart beats no master.
     *   <li>{@code INFO replication} on a fresh connection must say {@code role:master}; the replies
     *       alone are not trusted.
     * </ol>
     */
    public PromotionResult promote(boolean force) {
        return promote(force, Optional.empty());
    }

    /**
     * As {@link #promote(boolean)}, refusing also a master whose {@code run_id} is not {@code knownRunId}: the
     * Redis haagent last promoted or made a replica restarted since (see {@link PromotionGuard}).
     */
    public PromotionResult promote(boolean force, Optional<String> knownRunId) {
        List<TimedStep> steps = new ArrayList<>();
        Verdict verdict;
        Optional<String> forcedPast = Optional.empty();
        Optional<String> runId;
        List<String> warnings = new ArrayList<>();
        long closed = 0;
        String did;
        try (Jedis jedis = redis.connect()) {
            String replication = redis.step("INFO replication", steps, () -> jedis.info("replication"));
            String persistence = redis.step("INFO persistence", steps, () -> jedis.info("persistence"));
            runId = redis.runId(jedis, steps);
            verdict = PromotionGuard.decide(Info.parse(replication), Info.parse(persistence), config.maxLinkDown(), runId,
                    knownRunId);
            if (verdict instanceof Verdict.Unsafe unsafe) {
                if (!force) {
                    return new PromotionResult.Refused(redis.name() + ": refused to promote because " + unsafe.reason()
                            + "; force it through the admin API if you accept the data loss", unsafe.reason(), steps);
                }
                forcedPast = Optional.of(unsafe.reason());
            }
            if (verdict instanceof Verdict.AlreadyMaster) {
                did = "already master, nothing to promote";
                if (config.configRewrite()) {
                    rewriteAlone(jedis, steps, warnings);
                }
            } else {
                closed = promoteInOneTransaction(jedis, steps, warnings);
                did = "promoted to master (" + (config.configRewrite() ? "REPLICAOF NO ONE + CONFIG REWRITE" : "REPLICAOF NO ONE")
                        + " in " + TimedStep.millis(steps.getLast().took()) + ")";
            }
        } catch (ActionFailure e) {
            return failed(e.getMessage(), steps);
        }
        try (Jedis fresh = redis.connect()) {
            Info after = Info.parse(redis.step("INFO replication (confirm role:master)", steps,
                    () -> fresh.info("replication")));
            if (!after.isMaster()) {
                return failed("Redis still reports role:" + after.text("role").orElse("?")
                        + " after " + (verdict instanceof Verdict.AlreadyMaster ? "reporting master" : "REPLICAOF NO ONE"), steps);
            }
        } catch (ActionFailure e) {
            return failed("confirming role:master: " + e.getMessage(), steps);
        }
        StringBuilder sentence = new StringBuilder(redis.name()).append(": ").append(did);
        if (!(verdict instanceof Verdict.AlreadyMaster)) {
            sentence.append(", closed ").append(closed).append(closed == 1 ? " client connection" : " client connections");
        } else {
            sentence.append(" (role:master confirmed)");
        }
        forcedPast.ifPresent(why -> sentence.append(", forced by the operator although ").append(why));
        warnings.forEach(w -> sentence.append("; WARNING: ").append(w));
        return new PromotionResult.Promoted(sentence.toString(), verdict instanceof Verdict.AlreadyMaster, forcedPast,
                closed, steps, warnings, runId);
    }

    /**
     * Whether a promotion could persist the role in the config file; empty when it can, or when
     * {@code config_rewrite} is off. Meant for startup and reload, so that a Redis without a
     * (writable) config file is reported before a failover needs it. See
     * {@link RedisEndpoint#checkRewritable()} for why running {@code CONFIG REWRITE} here is safe.
     */
    public Optional<String> checkRewritable() {
        return rewriteCheck().problem();
    }

    /** As {@link #checkRewritable()}, saying also whether Redis could be asked at all. */
    public RewriteCheck rewriteCheck() {
        return config.configRewrite() ? redis.checkRewritable() : RewriteCheck.FINE;
    }

    /** @return how many client connections the transaction closed */
    private long promoteInOneTransaction(Jedis jedis, List<TimedStep> steps, List<String> warnings) throws ActionFailure {
        String what = "MULTI, REPLICAOF NO ONE, " + (config.configRewrite() ? "CONFIG REWRITE, " : "")
                + "CLIENT KILL TYPE normal, CLIENT KILL TYPE pubsub, EXEC";
        Queued q = redis.step(what, steps, () -> {
            Transaction tx = jedis.multi();
            Response<Object> replicaOf = tx.sendCommand(Protocol.Command.REPLICAOF, "NO", "ONE");
            Response<Object> rewrite = config.configRewrite() ? tx.sendCommand(Protocol.Command.CONFIG, "REWRITE") : null;
            // Sentinel's promotion (sentinelSendSlaveOf) sends exactly these two kills in its MULTI
            Response<Object> killNormal = tx.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "normal");
            Response<Object> killPubsub = tx.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "pubsub");
            tx.exec(); // EXECABORT (a command rejected while queueing) throws: nothing ran
            return new Queued(replicaOf, rewrite, killNormal, killPubsub);
        });
        try {
            q.replicaOf().get();
        } catch (JedisDataException e) {
            throw new ActionFailure("REPLICAOF NO ONE failed: " + e.getMessage(), e);
        }
        if (q.rewrite() != null) {
            try {
                q.rewrite().get();
            } catch (JedisDataException e) {
                warnings.add(rewriteWarning(e));
            }
        }
        long closed = 0;
        for (Response<Object> kill : List.of(q.killNormal(), q.killPubsub())) {
            try {
                closed += kill.get() instanceof Long n ? n : 0;
            } catch (JedisDataException e) {
                warnings.add("could not close client connections (" + e.getMessage()
                        + "), so clients may keep writing to a connection they believe is the old master's");
            }
        }
        return closed;
    }

    private void rewriteAlone(Jedis jedis, List<TimedStep> steps, List<String> warnings) throws ActionFailure {
        redis.step("CONFIG REWRITE", steps, () -> {
            try {
                return jedis.configRewrite();
            } catch (JedisDataException e) {
                warnings.add(rewriteWarning(e));
                return null;
            }
        });
    }

    private static String rewriteWarning(JedisDataException e) {
        return "CONFIG REWRITE failed (" + e.getMessage() + "), so a restart of this Redis would make it a replica"
                + " again: give it a config file it can write and run CONFIG REWRITE";
    }

    private PromotionResult failed(String reason, List<TimedStep> steps) {
        return new PromotionResult.Failed(redis.name() + ": promotion failed because " + reason, reason, steps);
    }

    private record Queued(Response<Object> replicaOf, Response<Object> rewrite, Response<Object> killNormal,
                          Response<Object> killPubsub) {}
}
