package io.haagent.failover.redis;

import io.haagent.failover.step.TimedStep;
import java.util.List;

/** What {@link RedisReplicator#replicate(String)} did, with one operator sentence like {@link PromotionResult}. */
public sealed interface ReplicationResult {

    String sentence();

    List<TimedStep> steps();

    /**
     * Redis is a replica of the requested master now, confirmed by {@code INFO replication} on a
     * fresh connection (its link may still be syncing).
     *
     * @param wasReplica it already replicated that master: no {@code REPLICAOF} was sent
     * @param warnings   what went wrong without undoing the change (a failed {@code CONFIG REWRITE})
     * @param runId      the replica's {@code run_id}, for the promotion guard; empty if Redis hides it
     */
    record Replicated(String sentence, boolean wasReplica, List<TimedStep> steps, List<String> warnings,
                      java.util.Optional<String> runId) implements ReplicationResult {
        public Replicated {
            steps = List.copyOf(steps);
            warnings = List.copyOf(warnings);
        }
    }

    /** Redis could not be reached, rejected a command, or does not report the new master afterwards. */
    record Failed(String sentence, String reason, List<TimedStep> steps) implements ReplicationResult {
        public Failed {
            steps = List.copyOf(steps);
        }
    }
}
