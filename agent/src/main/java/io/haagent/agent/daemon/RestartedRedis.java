package io.haagent.agent.daemon;

import io.haagent.config.Ipv4;
import io.haagent.failover.actions.RoleActions;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.VrrpInstanceRunner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's local Redis after healing restarted it: unless this node is MASTER, it starts as a replica of the
 * current master at once, asked again shortly while it does not listen yet.
 */
final class RestartedRedis {
    // one logger for the failover's sentences, whichever class says them
    private static final Logger log = LoggerFactory.getLogger(Failover.class);

    /** How often, and how long apart, a just-restarted Redis is asked to replicate until it answers (5 s in all). */
    private static final int REPLICATE_TRIES = 25;
    private static final Duration REPLICATE_RETRY = Duration.ofMillis(200);

    private final String name;
    /** The instance's runner once started; null before. */
    private final Supplier<VrrpInstanceRunner> runner;
    /** The master that took over the last time this node handed MASTER over. */
    private final Supplier<Optional<Ipv4>> lastNewMaster;
    private final RoleActions actions;
    private final ScheduledExecutorService timer;
    /** The master a restarted Redis is being made a replica of, while that is being tried; null otherwise. */
    private volatile Ipv4 replicating;
    private volatile int tries;

    RestartedRedis(String name, Supplier<VrrpInstanceRunner> runner, Supplier<Optional<Ipv4>> lastNewMaster,
                   RoleActions actions, ScheduledExecutorService timer) {
        this.name = name;
        this.runner = runner;
        this.lastNewMaster = lastNewMaster;
        this.actions = actions;
        this.timer = timer;
    }

    /** The local Redis was restarted by healing: unless this node is MASTER, it replicates the current master now. */
    void restarted() {
        VrrpInstanceRunner r = runner.get();
        if (r == null || r.status().state() == VrrpState.MASTER || r.status().state() == VrrpState.INIT
                || r.lastEvent().isEmpty()) {
            return;
        }
        Optional<Ipv4> master = r.status().master().or(lastNewMaster);
        if (master.isEmpty()) {
            return;
        }
        log.info("({}) the restarted Redis starts as a replica of the current master {} [event {}]", name, master.get(),
                r.lastEvent().get().eventId());
        replicating = master.get();
        tries = 0;
        actions.masterLearned(r.lastEvent().get(), master.get());
    }

    /** A role action is done: a failed replicate of the just-restarted Redis (it may not listen yet) is tried again. */
    void reported(RoleActions.Report report) {
        Ipv4 master = replicating;
        if (master == null || !(report.trigger() instanceof RoleActions.Trigger.MasterLearned m) || !m.master().equals(master)) {
            return;
        }
        if (report.succeeded(RoleActions.Kind.REDIS_REPLICATE) || ++tries > REPLICATE_TRIES) {
            replicating = null;
            return;
        }
        try {
            timer.schedule(() -> {
                if (replicating != null) {
                    actions.masterLearned(report.event(), master);
                }
            }, REPLICATE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }
}
