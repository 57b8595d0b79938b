package io.haagent.failover.redis;

import io.haagent.config.Durations;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Whether promoting the local Redis would lose data, decided from one snapshot of its
 * {@code INFO replication} and {@code INFO persistence}: no I/O, no clock (Redis reports the link's
 * age itself).
 *
 * <p>The signals, as redis-server 7.0 reports them:
 * <ul>
 *   <li>{@code loading:1} (persistence) while it reads an RDB/AOF: its dataset is incomplete.
 *   <li>{@code master_link_down_since_seconds} is present only while the link is down. It is
 *       {@code -1} when the link has not come up since this process started: a fresh replica that
 *       never reached its master ({@code master_repl_offset:0}, {@code slave_repl_offset:1}), and
 *       equally a replica restarted from its RDB whose master is gone ({@code master_repl_offset}
 *       &gt; 0, the offset saved in the RDB). Either way nobody can tell how old its data is.
 *       Redis before 4.0 printed {@code unixtime - 0} there instead of -1; a value beyond any
 *       plausible outage is read the same way.
 *   <li>Otherwise it is the age of the outage in seconds, compared with {@code max_link_down}.
 * </ul>
 * {@code master_sync_in_progress:1} needs no rule of its own: a first sync also shows the link
 * down since -1 with offset 0, and a resync shows the age of the outage that caused it.
 *
 * <p>A Redis that is a master already is trusted only while it is the process haagent last promoted or
 * made a replica ({@code run_id} from {@code INFO server}, remembered in the state dir). Another
 * {@code run_id} means it restarted since, and came back as a master — with persistence off, empty: the
 * hostile run promoted such a Redis and lost an acknowledged write. With nothing remembered (a new state
 * dir) it is trusted, as at a first deployment.
 */
final class PromotionGuard {
    /** Beyond ten years the number is an epoch timestamp (pre-4.0 Redis, never linked), not an outage. */
    private static final long IMPLAUSIBLE_OUTAGE_SECONDS = 10L * 365 * 24 * 3600;

    private PromotionGuard() {}

    private static String abbreviate(String runId) {
        return runId.length() > 8 ? runId.substring(0, 8) : runId;
    }

    /** What the guard found. */
    sealed interface Verdict {
        /** Already {@code role:master}: a promotion is a no-op. */
        record AlreadyMaster() implements Verdict {}

        /** A replica that is safe to promote; {@code why} is for the log. */
        record Safe(String why) implements Verdict {}

        /** A replica whose promotion would lose data; {@code reason} completes "refused to promote because ...". */
        record Unsafe(String reason) implements Verdict {}
    }

    static Verdict decide(Info replication, Info persistence, Duration maxLinkDown) {
        return decide(replication, persistence, maxLinkDown, Optional.empty(), Optional.empty());
    }

    /**
     * @param runId      the Redis's {@code run_id} now, when {@code INFO server} tells it
     * @param knownRunId the {@code run_id} of the Redis haagent last promoted or made a replica here, if any
     */
    static Verdict decide(Info replication, Info persistence, Duration maxLinkDown, Optional<String> runId,
                          Optional<String> knownRunId) {
        if (replication.isMaster()) {
            if (runId.isPresent() && knownRunId.isPresent() && !runId.get().equals(knownRunId.get())) {
                return new Verdict.Unsafe("it restarted since haagent last promoted it or made it a replica (run_id "
                        + abbreviate(knownRunId.get()) + " is now " + abbreviate(runId.get())
                        + ") and came back as a master, which may be empty or behind; let it replicate the live master");
            }
            return new Verdict.AlreadyMaster();
        }
        if (persistence.number("loading").orElse(0) == 1) {
            return new Verdict.Unsafe("it is loading its dataset from disk");
        }
        if ("up".equals(replication.fields().get("master_link_status"))) {
            return new Verdict.Safe("its link to " + replication.master() + " is up");
        }
        OptionalLong downFor = replication.number("master_link_down_since_seconds");
        if (downFor.isEmpty() || downFor.getAsLong() < 0 || downFor.getAsLong() > IMPLAUSIBLE_OUTAGE_SECONDS) {
            return replication.number("master_repl_offset").orElse(0) <= 0
                    ? new Verdict.Unsafe("it has never completed a sync with " + replication.master()
                            + " (master_repl_offset 0), so it holds none of the master's data")
                    : new Verdict.Unsafe("its link to " + replication.master()
                            + " has not been up since it started, so how old its data is cannot be told");
        }
        long seconds = downFor.getAsLong();
        if (Duration.ofSeconds(seconds).compareTo(maxLinkDown) > 0) {
            return new Verdict.Unsafe("its link to " + replication.master() + " has been down for " + seconds
                    + "s, longer than max_link_down " + Durations.format(maxLinkDown)
                    + ", so it misses the writes since then");
        }
        return new Verdict.Safe("its link to " + replication.master() + " has been down for only " + seconds
                + "s (max_link_down " + Durations.format(maxLinkDown) + ")");
    }
}
