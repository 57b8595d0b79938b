package io.haagent.failover.redis;

import io.haagent.config.VrrpInstance.RedisPromote;
import io.haagent.failover.redis.RedisEndpoint.ActionFailure;
import io.haagent.failover.step.TimedStep;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The Redis side of a planned switchover, on the master's node: stop new writes, then wait until the peer's replica
 * has every byte, so that nothing a client was told is written can be lost when the peer is promoted.
 *
 * <p>Why {@code CLIENT PAUSE <ms> WRITE} (Redis 6.2+): a client blocked in a write is never acknowledged, so the
 * replica only has to reach a fixed {@code master_repl_offset}; reads go on. The pause has an end of its own, so a
 * haagent that dies mid-switchover cannot leave writes blocked for longer than asked; {@code CLIENT UNPAUSE} ends it
 * early. Once the local Redis has become a replica of the new master, the paused clients' writes fail with
 * {@code READONLY} instead of being acknowledged by a Redis that is no longer the master.
 *
 * <p>Offsets: a replica acknowledges its offset about once a second ({@code REPLCONF ACK}), so a caught-up replica can
 * take up to a second to show it in {@code INFO replication}. Blocks for that long at most (bounded by the timeout);
 * call it off the VRRP loop.
 */
public final class ReplicaCatchUp {
    private static final Duration POLL = Duration.ofMillis(20);

    private final RedisEndpoint redis;
    private final Ticker ticker;

    ReplicaCatchUp(RedisPromote config, Duration timeout, Ticker ticker) {
        this.redis = new RedisEndpoint(config.host(), config.port(), config.password(), timeout, ticker);
        this.ticker = ticker;
    }

    /** The Redis {@code on_master.redis_promote} names, with {@link RedisPromoter#DEFAULT_TIMEOUT} per round trip. */
    public static ReplicaCatchUp of(RedisPromote config) {
        return new ReplicaCatchUp(config, RedisPromoter.DEFAULT_TIMEOUT, Ticker.SYSTEM);
    }

    /** {@code redis 127.0.0.1:6379}. */
    public String name() {
        return redis.name();
    }

    /**
     * Pauses writes for {@code pauseFor} and waits, at most {@code within}, until the replicas at {@code peers}
     * (addresses; every online replica when none is at one) have reached {@code master_repl_offset}. Caught up, the
     * pause stays (lift it with {@link #unpause} once the hand-over is done); otherwise it is lifted before this
     * returns.
     */
    public CatchUp pauseAndAwait(Set<String> peers, Duration within, Duration pauseFor) {
        List<TimedStep> steps = new ArrayList<>();
        long start = ticker.nanoTime();
        boolean paused = false;
        try (Jedis jedis = redis.connect()) {
            ReplicaOffsets first = offsets(jedis, steps);
            if (first.masterOffset().isEmpty()) {
                return new CatchUp.NoReplica(redis.name() + " is not a master: nothing to hand over");
            }
            if (first.replicas().isEmpty()) {
                return new CatchUp.NoReplica(redis.name() + " has no online replica (INFO replication lists none in"
                        + " state online): a switchover now would lose every write since the replica was last in sync;"
                        + " make the peer's Redis a replica first");
            }
            redis.step("CLIENT PAUSE WRITE", steps, () -> jedis.clientPause(pauseFor.toMillis(), ClientPauseMode.WRITE));
            paused = true;
            while (true) {
                ReplicaOffsets now = offsets(jedis, steps);
                long master = now.masterOffset().orElse(-1);
                List<ReplicaOffsets.Replica> which = now.peersAmong(peers);
                Optional<ReplicaOffsets.Replica> behind = ReplicaOffsets.furthestBehind(which);
                Duration waited = Duration.ofNanos(ticker.nanoTime() - start);
                if (behind.isPresent() && master >= 0 && behind.get().offset() >= master) {
                    return new CatchUp.CaughtUp(behind.get().address(), master, waited);
                }
                if (waited.compareTo(within) >= 0 || behind.isEmpty() || master < 0) {
                    unpauseOn(jedis, steps);
                    paused = false;
                    if (behind.isEmpty() || master < 0) {
                        return new CatchUp.NoReplica(redis.name() + " lost its replica while waiting for it to catch up");
                    }
                    ReplicaOffsets.Replica r = behind.get();
                    return new CatchUp.Lagging(r.address(), master - r.offset(), master, r.offset(), waited);
                }
                Thread.sleep(POLL);
            }
        } catch (ActionFailure e) {
            return new CatchUp.Failed(redis.name() + ": " + e.getMessage() + (paused ? "; " + unpause().orElse("writes resumed")
                    : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (paused) {
                unpause();
            }
            return new CatchUp.Failed(redis.name() + ": interrupted while waiting for the replica");
        }
    }

    /** Lifts the write pause ({@code CLIENT UNPAUSE}); empty when done, else why not (the pause then ends on its own). */
    public Optional<String> unpause() {
        try (Jedis jedis = redis.connect()) {
            unpauseOn(jedis, new ArrayList<>());
            return Optional.empty();
        } catch (ActionFailure | JedisException e) {
            return Optional.of(redis.name() + ": CLIENT UNPAUSE failed (" + e.getMessage()
                    + "); writes resume when the pause expires");
        }
    }

    /**
     * Waits, at most {@code within}, until the local Redis is no longer a master (the role actions made it a replica
     * of the new master). True when it is a replica; false when it is still a master or could not be asked.
     */
    public boolean awaitReplica(Duration within) throws InterruptedException {
        long end = ticker.nanoTime() + within.toNanos();
        while (true) {
            try (Jedis jedis = redis.connect()) {
                if (!Info.parse(jedis.info("replication")).isMaster()) {
                    return true;
                }
            } catch (ActionFailure | JedisException e) {
                // a Redis restarting under healing: ask again until the time is up
            }
            if (ticker.nanoTime() >= end) {
                return false;
            }
            Thread.sleep(POLL);
        }
    }

    private ReplicaOffsets offsets(Jedis jedis, List<TimedStep> steps) throws ActionFailure {
        return ReplicaOffsets.of(Info.parse(redis.step("INFO replication", steps, () -> jedis.info("replication"))));
    }

    private void unpauseOn(Jedis jedis, List<TimedStep> steps) throws ActionFailure {
        redis.step("CLIENT UNPAUSE", steps, jedis::clientUnpause);
    }
}
