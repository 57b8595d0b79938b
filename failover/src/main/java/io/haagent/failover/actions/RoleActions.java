package io.haagent.failover.actions;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.address.AddressMoveException;
import io.haagent.failover.address.AddressMover;
import io.haagent.failover.address.AddressMovers;
import io.haagent.failover.address.MoveResult;
import io.haagent.failover.lease.Fence;
import io.haagent.failover.lease.LeaseState;
import io.haagent.failover.redis.KnownRedis;
import io.haagent.failover.redis.PromotionResult;
import io.haagent.failover.redis.RedisPromoter;
import io.haagent.failover.redis.RedisReplicator;
import io.haagent.failover.redis.ReplicationResult;
import io.haagent.failover.redis.RewriteCheck;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one VRRP instance does to the world when its role changes: the local Redis's role and the service
 * address. Runs on a thread of its own ({@code vrrp-<name>-actions}), one job at a time in transition
 * order, so an ENI move of tens of seconds never holds up an advert, and a BACKUP's steps never overtake
 * the MASTER steps still running before them.
 *
 * <ul>
 *   <li>MASTER: guard + {@code REPLICAOF NO ONE} (+ {@code CONFIG REWRITE}), then move the address here.
 *       A refused or failed promotion moves nothing and is reported, so the caller can put the instance
 *       in FAULT: the address must not point at a Redis that is not a safe master.</li>
 *   <li>BACKUP, FAULT: release a local or secondary address, then replicate the master the election
 *       names (when it names one; a BACKUP that learns its master later gets {@link #masterLearned}).</li>
 *   <li>Stopped (INIT): release the address, leave Redis as it is.</li>
 *   <li>{@link #reassert}: a master that heard a lower-priority master takes its address back (a healed
 *       partition), as keepalived users add with {@code notify_master_rx_lower_pri}.</li>
 * </ul>
 */
public final class RoleActions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.failover.vrrp");
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /** The actions there are. */
    public enum Kind {
        REDIS_PROMOTE("redis promote"),
        REDIS_REPLICATE("redis replicate"),
        ACQUIRE_ADDRESS("acquire"),
        RELEASE_ADDRESS("release");

        private final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * One action's outcome, for the log, the mail body and the status.
     *
     * @param object what it acted on, when the kind does not say ({@code "local 10.0.1.100/24 on eth0"}); else empty
     */
    public record Outcome(Kind kind, String object, boolean ok, String sentence, Duration took) {
        /** {@code "redis promote"}, {@code "acquire local 10.0.1.100/24 on eth0"}: the action as people read it. */
        public String action() {
            return object.isEmpty() ? kind.label : kind.label + " " + object;
        }
    }

    /** What made the actions run. */
    public sealed interface Trigger {
        /** The instance entered {@code to} (INIT: it stopped). */
        record Transition(VrrpState to) implements Trigger {}

        /** A BACKUP heard its master after the transition. */
        record MasterLearned(Ipv4 master) implements Trigger {}

        /** A MASTER heard a lower-priority master claim the role. */
        record Reasserted(Ipv4 lowerPeer) implements Trigger {}

        /** A reload changed the actions in place: what changed is done for the role in force. */
        record Reconfigured() implements Trigger {}

        /** {@code "MASTER"}, {@code "STOP"}, {@code "learned master 10.0.1.11"}, {@code "re-asserted after hearing ..."}. */
        default String describe() {
            return switch (this) {
                case Transition t -> t.to().enteredAs();
                case MasterLearned m -> "learned master " + m.master();
                case Reasserted r -> "re-asserted after hearing " + r.lowerPeer();
                case Reconfigured r -> "reconfigured by a reload";
            };
        }
    }

    /**
     * Everything one trigger did. {@code event} is the transition (or the one in force for a later
     * trigger); {@code refusal} is set when a MASTER must not keep the role (promotion refused or failed).
     */
    public record Report(VrrpEvent event, Trigger trigger, List<Outcome> outcomes, Optional<String> refusal) {
        public Report {
            outcomes = List.copyOf(outcomes);
        }

        /** Whether a step of {@code kind} ran and succeeded. */
        public boolean succeeded(Kind kind) {
            return outcomes.stream().anyMatch(o -> o.kind() == kind && o.ok());
        }
    }

    /** Told on the actions thread when a job is done; must not block. */
    @FunctionalInterface
    public interface Listener {
        void done(Report report);
    }

    private final String name;
    // Replaced by a reload (reconfigure), on the actions thread; read there, and by hasActions and startupFindings.
    private volatile VrrpInstance config;
    private volatile Optional<RedisPromoter> promoter;
    private volatile Optional<RedisReplicator> replicator;
    private volatile Optional<AddressMover> address;
    /** The Redis last promoted or made a replica here, so a restarted one is not promoted blindly. */
    private volatile Optional<KnownRedis> known;
    private final Listener listener;
    private final ExecutorService thread;
    private final AtomicBoolean forceNext = new AtomicBoolean();
    /** Jobs submitted and not yet finished, however they finish (a report, nothing to do, a failure). */
    private final AtomicInteger running = new AtomicInteger();
    /** Behind a lease: asked immediately before each irreversible step (see {@link #fenceWith}); else empty. */
    private volatile Supplier<Optional<Fence>> fence = Optional::empty;

    RoleActions(String name, VrrpInstance config, Optional<RedisPromoter> promoter, Optional<RedisReplicator> replicator,
                Optional<AddressMover> address, Optional<KnownRedis> known, Listener listener) {
        this.name = name;
        this.config = config;
        this.promoter = promoter;
        this.replicator = replicator;
        this.address = address;
        this.known = known;
        this.listener = listener;
        this.thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("vrrp-" + name + "-actions")
                .unstarted(r));
    }

    /**
     * The actions {@code config} asks for; none configured gives an instance that only reports. The run_id of
     * the Redis it promotes or replicates is kept in {@code stateDir/<name>.redis-run-id}.
     */
    public static RoleActions of(String name, VrrpInstance config, Path stateDir, Listener listener) {
        return new RoleActions(name, config, config.onMaster().redisPromote().map(RedisPromoter::of),
                config.onBackup().redisReplicate().map(RedisReplicator::of),
                config.onMaster().address().map(AddressMovers::of), known(name, config, stateDir), listener);
    }

    private static Optional<KnownRedis> known(String name, VrrpInstance config, Path stateDir) {
        return config.onMaster().redisPromote().isPresent() || config.onBackup().redisReplicate().isPresent()
                ? Optional.of(new KnownRedis(stateDir.resolve(name + ".redis-run-id"))) : Optional.empty();
    }

    /**
     * A reload changed {@code on_master} or {@code on_backup}: the new actions take over on this same thread, after
     * the jobs queued before (so old and new never run at once), and what changed is done for the role in force
     * ({@code inForce}, the transition the instance is in): a MASTER releases the old address and acquires the new
     * one, and promotes a Redis that is not the one it promoted (guarded as ever, a refusal reported as such); a
     * BACKUP or FAULT that knows its master makes a new Redis its replica. Nothing else is redone.
     *
     * @throws RuntimeException the new actions cannot be made (an unusable address config): the old ones stay
     */
    public void reconfigure(VrrpInstance next, Path stateDir, Optional<VrrpEvent> inForce) {
        Optional<RedisPromoter> p = next.onMaster().redisPromote().map(RedisPromoter::of);
        Optional<RedisReplicator> r = next.onBackup().redisReplicate().map(RedisReplicator::of);
        Optional<AddressMover> a = next.onMaster().address().map(AddressMovers::of);
        Optional<KnownRedis> k = known(name, next, stateDir);
        submit(() -> {
            VrrpInstance before = config;
            Optional<AddressMover> oldAddress = address;
            config = next;
            promoter = p;
            replicator = r;
            address = a;
            known = k;
            if (inForce.isEmpty()) {
                return null;
            }
            VrrpEvent e = inForce.get();
            List<Outcome> done = new ArrayList<>();
            Optional<String> refusal = Optional.empty();
            if (e.to() == VrrpState.MASTER) {
                if (!before.onMaster().redisPromote().equals(next.onMaster().redisPromote()) && promoter.isPresent()) {
                    refusal = promote(e, done);
                }
                if (refusal.isEmpty() && !before.onMaster().address().equals(next.onMaster().address())) {
                    oldAddress.ifPresent(old -> move(old, false, done, LeaseState.NO_EPOCH));
                    acquire(done);
                }
            } else if ((e.to() == VrrpState.BACKUP || e.to() == VrrpState.FAULT)
                    && !before.onBackup().redisReplicate().equals(next.onBackup().redisReplicate())) {
                e.master().ifPresent(m -> replicate(m, done));
            }
            return done.isEmpty() && refusal.isEmpty() ? null : new Report(e, new Trigger.Reconfigured(), done, refusal);
        });
    }

    /** True when there is anything to do on a transition (else the caller need not wait for reports). */
    public boolean hasActions() {
        return promoter.isPresent() || replicator.isPresent() || address.isPresent();
    }

    /** Some action is queued or under way: a host mid-failover is not spare capacity (the load push says so). */
    public boolean busy() {
        return running.get() > 0;
    }

    /**
     * Problems that would only show at failover, checked now: a Redis that has no config file or cannot
     * rewrite it. One sentence each; empty when all is well. A Redis that does not answer yet (the agent
     * may have just started it) is asked again every second for {@code patience} before that is reported.
     * Blocks; call it off the election's thread.
     */
    public List<String> startupFindings(Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            List<RewriteCheck> checks = new ArrayList<>();
            promoter.map(RedisPromoter::rewriteCheck).ifPresent(checks::add);
            replicator.map(RedisReplicator::rewriteCheck).ifPresent(checks::add);
            if (checks.stream().allMatch(RewriteCheck::reached) || System.nanoTime() > deadline) {
                return checks.stream().flatMap(c -> c.problem().stream()).distinct().toList();
            }
            Thread.sleep(1000);
        }
    }

    /**
     * An instance behind a lease: {@code REPLICAOF NO ONE} and taking the address run only when {@code fence} grants
     * them, asked immediately before each (the lease may have been lost since the transition was decided); a refused
     * step is reported as not run and the lease side demotes the instance. A granted step names the lease's epoch,
     * so an operator can tell which master is newer.
     */
    public void fenceWith(Supplier<Optional<Fence>> fence) {
        this.fence = fence;
    }

    /** The operator accepts the data loss: the next promotion skips the guard (once). */
    public void forceNextPromotion() {
        forceNext.set(true);
    }

    /** Queues what {@code e}'s new state asks for. */
    public void transitioned(VrrpEvent e) {
        submit(() -> switch (e.to()) {
            case MASTER -> becameMaster(e);
            case BACKUP, FAULT -> leftMaster(e, e.master());
            case INIT -> stopped(e);
        });
    }

    /** A BACKUP heard its master after the transition: replicate it. {@code e} is the BACKUP transition. */
    public void masterLearned(VrrpEvent e, Ipv4 master) {
        if (replicator.isEmpty()) {
            return;
        }
        submit(() -> {
            List<Outcome> done = new ArrayList<>();
            replicate(master, done);
            return new Report(e, new Trigger.MasterLearned(master), done, Optional.empty());
        });
    }

    /** MASTER heard a lower-priority master: take the address back (idempotent when it is still ours). */
    public void reassert(VrrpEvent e, Ipv4 lowerPeer) {
        if (address.isEmpty()) {
            return;
        }
        submit(() -> {
            List<Outcome> done = new ArrayList<>();
            acquire(done);
            return new Report(e, new Trigger.Reasserted(lowerPeer), done, Optional.empty());
        });
    }

    private Report becameMaster(VrrpEvent e) {
        List<Outcome> done = new ArrayList<>();
        Optional<String> refusal = promoter.isPresent() ? promote(e, done) : Optional.empty();
        if (refusal.isPresent()) {
            return new Report(e, new Trigger.Transition(e.to()), done, refusal);
        }
        acquire(done);
        return new Report(e, new Trigger.Transition(e.to()), done, Optional.empty());
    }

    /** Guards and promotes the local Redis; the refusal when the role must not be kept (refused or failed). */
    private Optional<String> promote(VrrpEvent e, List<Outcome> done) {
        OptionalLong epoch = fenced(Kind.REDIS_PROMOTE, "", done);
        if (epoch.isEmpty()) {
            return Optional.empty(); // not a refusal of the Redis: the lease side takes the instance out of MASTER
        }
        boolean force = forceNext.getAndSet(false);
        long t0 = System.nanoTime();
        PromotionResult r = promoter.orElseThrow().promote(force, known.flatMap(KnownRedis::runId));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        switch (r) {
            case PromotionResult.Promoted p -> {
                done.add(new Outcome(Kind.REDIS_PROMOTE, "", true, p.sentence() + epochNote(epoch.getAsLong()), took));
                p.runId().ifPresent(id -> known.ifPresent(k -> k.remember(id)));
                p.warnings().forEach(w -> log.warn("({}) {} [event {}]", name, w, e.eventId()));
                return Optional.empty();
            }
            case PromotionResult.Refused ref -> {
                done.add(new Outcome(Kind.REDIS_PROMOTE, "", false, ref.sentence(), took));
                return Optional.of("refused to promote the local Redis: " + ref.reason());
            }
            case PromotionResult.Failed f -> {
                done.add(new Outcome(Kind.REDIS_PROMOTE, "", false, f.sentence(), took));
                return Optional.of("could not promote the local Redis: " + f.reason());
            }
        }
    }

    private Report leftMaster(VrrpEvent e, Optional<Ipv4> master) {
        List<Outcome> done = new ArrayList<>();
        release(done);
        master.ifPresent(m -> replicate(m, done));
        return new Report(e, new Trigger.Transition(e.to()), done, Optional.empty());
    }

    private Report stopped(VrrpEvent e) {
        List<Outcome> done = new ArrayList<>();
        if (e.from() == VrrpState.MASTER) {
            release(done);
        }
        return new Report(e, new Trigger.Transition(e.to()), done, Optional.empty());
    }

    private void acquire(List<Outcome> done) {
        address.ifPresent(a -> fenced(Kind.ACQUIRE_ADDRESS, a.describe(), done)
                .ifPresent(epoch -> move(a, true, done, epoch)));
    }

    /**
     * Asks the lease immediately before an irreversible step of {@code kind}: the epoch to run it under
     * ({@link LeaseState#NO_EPOCH} without a lease), or empty when it may not run, which is recorded as not run.
     */
    private OptionalLong fenced(Kind kind, String object, List<Outcome> done) {
        return switch (fence.get().orElse(null)) {
            case null -> OptionalLong.of(LeaseState.NO_EPOCH);
            case Fence.Granted g -> OptionalLong.of(g.epoch());
            case Fence.Refused r -> {
                done.add(new Outcome(kind, object, false, "not run: " + r.why(), Duration.ZERO));
                yield OptionalLong.empty();
            }
        };
    }

    private static String epochNote(long epoch) {
        return epoch == LeaseState.NO_EPOCH ? "" : " (lease epoch 0x" + Long.toHexString(epoch) + ")";
    }

    private void release(List<Outcome> done) {
        address.ifPresent(a -> move(a, false, done, LeaseState.NO_EPOCH));
    }

    /** {@code epoch}: an acquire under that lease (the eni mover tags the ENI with it, the step's line names it). */
    private static void move(AddressMover a, boolean acquire, List<Outcome> done, long epoch) {
        Kind kind = acquire ? Kind.ACQUIRE_ADDRESS : Kind.RELEASE_ADDRESS;
        long t0 = System.nanoTime();
        try {
            MoveResult r = !acquire ? a.release() : epoch == LeaseState.NO_EPOCH ? a.acquire() : a.acquire(epoch);
            done.add(new Outcome(kind, a.describe(), true, r.sentence() + epochNote(epoch),
                    Duration.ofNanos(System.nanoTime() - t0)));
        } catch (AddressMoveException ex) {
            done.add(new Outcome(kind, a.describe(), false, ex.getMessage(), Duration.ofNanos(System.nanoTime() - t0)));
        }
    }

    private void replicate(Ipv4 master, List<Outcome> done) {
        if (replicator.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        ReplicationResult r = replicator.get().replicate(master.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        switch (r) {
            case ReplicationResult.Replicated ok -> {
                done.add(new Outcome(Kind.REDIS_REPLICATE, "", true, ok.sentence(), took));
                ok.runId().ifPresent(id -> known.ifPresent(k -> k.remember(id)));
                ok.warnings().forEach(w -> log.warn("({}) {}", name, w));
            }
            case ReplicationResult.Failed f -> done.add(new Outcome(Kind.REDIS_REPLICATE, "", false, f.sentence(), took));
        }
    }

    private void submit(java.util.function.Supplier<Report> job) {
        running.incrementAndGet();
        try {
            thread.execute(() -> {
                try {
                    run(job);
                } finally {
                    running.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException ex) {
            running.decrementAndGet();
            log.warn("({}) failover actions not run because the instance is stopping", name);
        }
    }

    private void run(java.util.function.Supplier<Report> job) {
        Report r;
        try {
            r = job.get();
        } catch (RuntimeException ex) {
            log.error("({}) a failover action failed unexpectedly", name, ex);
            return;
        }
        if (r == null) {
            return; // nothing was done
        }
        try {
            listener.done(r);
        } catch (RuntimeException ex) {
            log.error("({}) the failover report could not be handled", name, ex);
        }
    }

    /** Lets the queued jobs finish (bounded), then stops. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("({}) failover actions still running after {} s; interrupting them", name, CLOSE_WAIT.toSeconds());
                thread.shutdownNow();
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }
}
