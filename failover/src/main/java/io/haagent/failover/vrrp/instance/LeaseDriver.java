package io.haagent.failover.vrrp.instance;

import io.haagent.failover.lease.Fence;
import io.haagent.failover.lease.LeaseAction;
import io.haagent.failover.lease.LeaseDecision;
import io.haagent.failover.lease.LeaseInput;
import io.haagent.failover.lease.LeaseMachine;
import io.haagent.failover.lease.LeaseParams;
import io.haagent.failover.lease.LeaseState;
import io.haagent.failover.vrrp.Input;
import io.haagent.time.Ticker;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actuator around one instance's {@link LeaseMachine}, on the instance's own loop thread (so the election and the
 * lease are decided one fact at a time, in order): the election's asks and releases and the ZooKeeper edge's answers
 * go in; acquisitions, renewals and deletions go to the edge, write pauses to the Redis on a thread of its own, and
 * "MASTER allowed" or "leave MASTER" back to the election as inputs queued behind the current one.
 */
final class LeaseDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.failover.vrrp");

    private final String name;
    private final Ticker ticker;
    private final Consumer<Input> election;
    private final Runnable decided;
    private final LeaseParams asked;
    private final LeaseEdge edge;
    private final Optional<WritePause> writes;
    private final ExecutorService writesThread;
    // written on the loop; read by fence() from the actions thread
    private volatile LeaseMachine machine;
    private volatile LeaseState state = LeaseState.initial();
    private final WakeUp wake;

    /**
     * @param onLoop   runs a task on the instance's loop (the edge's answers come from Curator's threads)
     * @param election queues an input for the election, behind the one being decided
     * @param decided  told on the loop after each decision (the instance's status shows the lease)
     */
    LeaseDriver(String name, LeaseSetup setup, Ticker ticker, ScheduledExecutorService loop, Consumer<Runnable> onLoop,
                Consumer<Input> election, Runnable decided) {
        this.name = name;
        this.ticker = ticker;
        this.election = election;
        this.decided = decided;
        this.asked = setup.params();
        this.machine = new LeaseMachine(asked);
        this.writes = setup.writes();
        this.writesThread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
                .name("vrrp-" + name + "-writes").unstarted(r));
        this.wake = new WakeUp(loop, () -> {
            try {
                feed(new LeaseInput.TimePassed());
            } catch (RuntimeException e) {
                log.error("({}) lease: failed to handle its timer", name, e);
            }
        });
        this.edge = setup.edge().open(in -> onLoop.accept(() -> feed(in)));
    }

    /** On the loop: decides {@code in} and carries the decision out. */
    void feed(LeaseInput in) {
        long now = ticker.nanoTime();
        useGrantedSessionTimeout();
        LeaseDecision d = machine.decide(in, state, now);
        state = d.state();
        boolean demoted = d.actions().stream().anyMatch(a -> a instanceof LeaseAction.Demote);
        d.sentence().ifPresent(s -> {
            if (demoted) {
                log.warn(s);
            } else {
                log.info(s);
            }
        });
        for (LeaseAction a : d.actions()) {
            switch (a) {
                case LeaseAction.AcquireLease x -> edge.acquire();
                case LeaseAction.StopAcquiring x -> edge.stopAcquiring();
                case LeaseAction.SendRenewal x -> edge.renew();
                case LeaseAction.DeleteLease x -> edge.delete(x.epoch());
                case LeaseAction.PauseWrites x -> onWrites(w -> w.pause(x.millis()), "pause writes for " + x.millis() + " ms");
                case LeaseAction.UnpauseWrites x -> onWrites(WritePause::unpause, "unpause writes");
                case LeaseAction.TakeMaster x -> election.accept(new Input.LeaseGranted(x.epoch()));
                case LeaseAction.Demote x -> election.accept(new Input.LeaseLost(x.reason()));
            }
        }
        wake.at(d.nextWakeAtNanos(), now);
        decided.run();
    }

    /** Whether an irreversible step may run now, and with which epoch; any thread. */
    Fence fence() {
        return machine.fence(state, ticker.nanoTime());
    }

    /** The lease as last decided; any thread. */
    LeaseState state() {
        return state;
    }

    /**
     * ZooKeeper may grant another session timeout than the one asked for (2..20 x its tickTime): the deadline must
     * count on the granted one, or a shorter one would let the server expire the session before the deadline.
     */
    private void useGrantedSessionTimeout() {
        long granted = edge.sessionTimeoutNanos();
        if (granted > 0 && granted != machine.params().sessionTimeoutNanos()) {
            machine = new LeaseMachine(new LeaseParams(name, granted, asked.marginPercent(), asked.failsafeWindowNanos()));
            if (granted != asked.sessionTimeoutNanos()) {
                log.warn("({}) lease: ZooKeeper granted a session timeout of {} instead of the {} asked for; the lease's"
                        + " deadline counts on the granted one", name, secs(granted), secs(asked.sessionTimeoutNanos()));
            }
        }
    }

    private void onWrites(Consumer<WritePause> call, String what) {
        writes.ifPresent(w -> {
            try {
                writesThread.execute(() -> {
                    try {
                        call.accept(w);
                    } catch (RuntimeException e) {
                        log.warn("({}) lease: could not {} on {}: {}", name, what, w.describe(), e.getMessage());
                    }
                });
            } catch (RejectedExecutionException e) {
                // closing: the pause ends by itself
            }
        });
    }

    /** Stops the timer, the edge's reports and the writes thread; on the loop or after it stopped. */
    @Override
    public void close() {
        wake.cancel();
        edge.close();
        writesThread.shutdown();
    }

    private static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }
}
