package io.haagent.agent.daemon;

import io.haagent.agent.admin.AdminServer;
import io.haagent.config.Durations;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.redis.CatchUp;
import io.haagent.failover.redis.ReplicaCatchUp;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.InstanceStatus;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import io.haagent.failover.vrrp.instance.VrrpInstanceRunner;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned, graceful hand-over of one instance from this node (its MASTER) to the peer: {@code haagent ctl
 * switchover INSTANCE}, and each MASTER instance of {@code haagent ctl node drain}.
 *
 * <p>The order is what makes it lose nothing, as a Redis operator would do it by hand:
 * <ol>
 *   <li>Only the MASTER hands over: elsewhere the answer names the master to run it on.
 *   <li>{@code CLIENT PAUSE <ms> WRITE} on the local Redis: no write can be acknowledged from now on, so the offset
 *       the replica must reach stops moving ({@link ReplicaCatchUp}).
 *   <li>Wait, bounded by the catch-up timeout (5 s unless asked), until the peer's replica has acknowledged
 *       {@code master_repl_offset}. If it does not, the pause is lifted and nothing moves: a switchover that would lose
 *       writes is not a planned one (the reply says by how many bytes the replica lagged).
 *   <li>Caught up: the VRRP instance sends priority 0 and becomes BACKUP ({@code SwitchoverRequested}); the peer takes
 *       over after its skew time (RFC 5798 §6.4.3), promotes its Redis — safe, it has every byte — and takes the
 *       address. The BACKUP role actions release the address here and make the local Redis a replica of the peer once
 *       its first advert names it; the hand-over hold keeps healing off the Redis meanwhile.
 *   <li>The pause lasts until the local Redis is no longer a master (or the pause expires, catch-up timeout plus
 *       {@link #handOverBound}): a client paused on the old master then gets {@code READONLY}, never an acknowledgement
 *       from a Redis that is no longer the master. Then {@code CLIENT UNPAUSE}.
 * </ol>
 * The node then stays out of preemption: with {@code preempt: true} and a higher priority it would otherwise take
 * mastership straight back one master-down interval later. It follows the peer until it is MASTER again (the peer
 * fails or hands back) or an operator resumes the node; /status says so ({@code hold}).
 */
final class PlannedSwitchover {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    /** How long the peer's replica may take to catch up unless the operator says ({@code ?timeout=}). */
    static final Duration DEFAULT_CATCH_UP = Duration.ofSeconds(5);
    /** The Redis round trips of the hand-over: the peer's promotion, the local replicate (2 s timeout each at most). */
    private static final Duration REDIS_ROUNDS = Duration.ofSeconds(2);

    private final String name;
    private final VrrpInstance config;
    private final VrrpInstanceRunner runner;
    private final Ticker ticker;

    PlannedSwitchover(String name, VrrpInstance config, VrrpInstanceRunner runner, Ticker ticker) {
        this.name = name;
        this.config = config;
        this.runner = runner;
        this.ticker = ticker;
    }

    /**
     * How long the hand-over may take after the priority-0 advert: the peer's master-down interval at most (its skew
     * time when it heard the advert, 3 adverts and a skew when it did not), and the Redis round trips.
     */
    Duration handOverBound() {
        return config.advertInterval().multipliedBy(4).plus(REDIS_ROUNDS);
    }

    /**
     * Hands the instance over. {@code drain}: for {@code node drain}, which holds the node out of elections
     * afterwards, not only out of preemption. Blocks for the catch-up and the hand-over (seconds); the admin workers
     * run it, never the VRRP loop.
     */
    AdminServer.Reply run(String reason, Optional<Duration> catchUpTimeout, boolean drain) {
        InstanceStatus st = runner.status();
        if (st.state() != VrrpState.MASTER) {
            String master = st.master().map(m -> "the master is " + m + ": run it on " + m)
                    .orElse("no master is known here");
            return refused(409, "(" + name + ") is " + st.state() + " on this node, not MASTER; " + master, Map.of());
        }
        String why = (drain ? "node drained by operator" : "switchover requested by operator") + " (reason " + reason + ")";
        long start = ticker.nanoTime();
        Optional<VrrpInstance.RedisPromote> promote = config.onMaster().redisPromote();
        if (promote.isEmpty()) {
            // nothing to catch up: an instance without a Redis hands over like a stop would
            return stepDown(why + ": no Redis to catch up (no on_master.redis_promote)", drain, start, Optional.empty(),
                    Map.of());
        }
        ReplicaCatchUp redis = ReplicaCatchUp.of(promote.get());
        Duration timeout = catchUpTimeout.orElse(DEFAULT_CATCH_UP);
        Set<String> peers = config.unicast().peers().stream().map(p -> p.address().toString()).collect(Collectors.toSet());
        CatchUp c = redis.pauseAndAwait(peers, timeout, timeout.plus(handOverBound()));
        return switch (c) {
            case CatchUp.CaughtUp up -> stepDown(why + ": " + up.sentence(), drain, start, Optional.of(redis),
                    Map.of("replica", up.replica(), "offset", up.offset(), "caught_up_ms", up.took().toMillis()));
            case CatchUp.Lagging lag -> refused(409, "(" + name + ") switchover refused: " + lag.sentence() + " (timeout "
                    + Durations.format(timeout) + "); writes resumed, nothing moved; try again when the replica keeps up,"
                    + " or with a longer ?timeout=", Map.of("replica", lag.replica(), "lag_bytes", lag.lagBytes(),
                    "master_offset", lag.masterOffset(), "replica_offset", lag.replicaOffset()));
            case CatchUp.NoReplica none -> refused(409, "(" + name + ") switchover refused: " + none.sentence()
                    + "; nothing moved", Map.of());
            case CatchUp.Failed f -> refused(503, "(" + name + ") switchover refused: " + f.sentence() + "; nothing moved",
                    Map.of());
        };
    }

    private AdminServer.Reply stepDown(String why, boolean drain, long start, Optional<ReplicaCatchUp> redis,
                                       Map<String, Object> caughtUp) {
        Optional<VrrpEvent> event;
        try {
            event = drain ? runner.drain(why) : runner.switchover(why);
        } catch (IllegalStateException e) {
            redis.ifPresent(ReplicaCatchUp::unpause);
            return refused(503, "(" + name + ") switchover failed: " + e.getMessage() + "; writes resumed", caughtUp);
        }
        if (event.isEmpty()) {
            redis.ifPresent(ReplicaCatchUp::unpause);
            return refused(409, "(" + name + ") is no longer MASTER here (it changed while the replica caught up);"
                    + " writes resumed, nothing else done", caughtUp);
        }
        long steppedDown = ticker.nanoTime();
        Optional<String> warning = Optional.empty();
        if (redis.isPresent()) {
            boolean replica;
            try {
                replica = redis.get().awaitReplica(handOverBound());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                replica = false;
            }
            if (!replica) {
                warning = Optional.of(redis.get().name() + " was still a master " + Durations.format(handOverBound())
                        + " after the hand-over began; writes resume on it now (see the role actions in /status)");
            }
            Optional<String> unpause = redis.get().unpause();
            if (unpause.isPresent()) {
                warning = Optional.of(warning.map(w -> w + "; ").orElse("") + unpause.get());
            }
        }
        long end = ticker.nanoTime();
        warning.ifPresent(w -> log.warn("({}) switchover: {} [event {}]", name, w, event.get().eventId()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", true);
        String tookMs = String.valueOf((end - start) / 1_000_000);
        body.put("message", "(" + name + ") MASTER -> BACKUP: " + why + ", sent priority 0; handed over in " + tookMs
                + " ms" + (drain ? "; drained until node resume" : "; held out of preemption until MASTER again or node resume"));
        body.put("instance", name);
        body.put("event_id", event.get().eventId());
        body.putAll(caughtUp);
        body.put("handed_over_ms", (end - steppedDown) / 1_000_000);
        body.put("took_ms", (end - start) / 1_000_000);
        body.put("master", runner.status().master().map(Object::toString).orElse(null));
        warning.ifPresent(w -> body.put("warning", w));
        return new AdminServer.Reply(200, body);
    }

    private AdminServer.Reply refused(int status, String message, Map<String, Object> more) {
        log.warn("{}", message);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", false);
        body.put("message", message);
        body.put("instance", name);
        body.putAll(more);
        return new AdminServer.Reply(status, body);
    }
}
