package io.haagent.agent.daemon;

import io.haagent.config.HostPort;
import io.haagent.config.Ipv4;
import io.haagent.failover.actions.RoleActions;
import io.haagent.failover.vrrp.instance.VrrpInstanceRunner;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's promotion guard: a refused or failed promotion holds the instance in FAULT
 * ({@link VrrpInstanceRunner#promotionGuard}) until the local Redis replicates a master again, a reload removes the
 * Redis to promote, or an operator forces the promotion. Those ways of lifting may race — the actions thread, the
 * checker's and an operator's request — so each change holds the guard's lock.
 */
final class PromotionGuard {
    // one logger for the failover's sentences, whichever class says them
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    /** The least time between a refusal and its lifting by a check's observation. */
    private static final Duration MIN_HOLD = Duration.ofSeconds(10);

    /** How often a refused instance tries to make its Redis a replica of the master it hears. */
    private static final Duration REPLICATE_WHILE_REFUSED_EVERY = Duration.ofSeconds(5);

    private final String name;
    private final Ticker ticker;
    /** The instance's runner once started; null before. */
    private final Supplier<VrrpInstanceRunner> runner;
    private final RoleActions actions;
    /** Why the guard holds the instance in FAULT; null while it does not. */
    private volatile String refusal;
    /** When the guard last went down. */
    private volatile long downSinceNanos;
    /** When {@link #advertHeard} last queued a replicate (0: never). */
    private volatile long lastReplicateWhileRefusedNanos;

    PromotionGuard(String name, Ticker ticker, Supplier<VrrpInstanceRunner> runner, RoleActions actions) {
        this.name = name;
        this.ticker = ticker;
        this.runner = runner;
        this.actions = actions;
    }

    boolean isDown() {
        return refusal != null;
    }

    /** Why the guard holds the instance in FAULT, for /status; null while it does not. */
    String refusal() {
        return refusal;
    }

    synchronized void down(String why) {
        refusal = why;
        downSinceNanos = ticker.nanoTime();
        log.error("({}) giving MASTER up: {}; it returns when the local Redis replicates the new master, or force it with"
                + " POST /vrrp/{}/promote", name, why, name);
        VrrpInstanceRunner r = runner.get();
        if (r != null) {
            r.promotionGuard(true, why);
        }
    }

    synchronized void up(String why) {
        if (refusal == null) {
            return; // lifted already, by another of its ways
        }
        refusal = null;
        log.info("({}) promotion guard lifted: {}", name, why);
        VrrpInstanceRunner r = runner.get();
        if (r != null) {
            r.promotionGuard(false, why);
        }
    }

    /**
     * A check saw the local Redis replicate {@code master} with the link up. Not within {@link #MIN_HOLD} of the
     * refusal: a promotion that fails for good (a wrong password in {@code redis_promote}) would otherwise flap the
     * role at every check of a replica that is fine.
     */
    synchronized void replicating(HostPort master, String check) {
        if (refusal != null && ticker.nanoTime() - downSinceNanos >= MIN_HOLD.toNanos()) {
            up("the local Redis replicates " + master + " with the link up (check " + check + ")");
        }
    }

    /**
     * The operator accepts the data loss a refusal warned of: the next promotion skips the guard, and the guard
     * lifts.
     *
     * @return why it had refused; null when it held nothing
     */
    synchronized String force(String reason) {
        actions.forceNextPromotion();
        log.warn("({}) an operator forces the next promotion past the guard: {}", name, reason);
        String was = refusal;
        if (was != null) {
            up("an operator forced it: " + reason);
        }
        return was;
    }

    /**
     * An advert arrived. Refused into FAULT, the instance ignores adverts, so no replicate action would ever run and
     * the guard would hold for good (hostile run, faults 3 and 4). A peer advertising with a priority is MASTER: the
     * local Redis replicates it — the live master's data wins — and the guard lifts once that succeeds. At most
     * every {@link #REPLICATE_WHILE_REFUSED_EVERY}, on the runner's thread (it only queues the action).
     */
    void advertHeard(Ipv4 master, int priority) {
        if (refusal == null || priority <= 0) {
            return;
        }
        long now = ticker.nanoTime();
        VrrpInstanceRunner r = runner.get();
        if (r == null || now - lastReplicateWhileRefusedNanos < REPLICATE_WHILE_REFUSED_EVERY.toNanos()
                && lastReplicateWhileRefusedNanos != 0) {
            return;
        }
        lastReplicateWhileRefusedNanos = now;
        r.lastEvent().ifPresent(e -> {
            log.info("({}) promotion refused, and {} is MASTER: making the local Redis its replica [event {}]", name,
                    master, e.eventId());
            actions.masterLearned(e, master);
        });
    }
}
