package io.haagent.failover.redis;

import io.haagent.failover.step.TimedStep;
import java.util.List;
import java.util.Optional;

/**
 * What {@link RedisPromoter#promote(boolean)} did. Each outcome carries one operator sentence,
 * prefixed with the Redis address, for the log line and the mail subject; the caller adds the VRRP
 * instance and the event id.
 */
public sealed interface PromotionResult {

    /** One sentence: what was done or why not, and what the operator can do. */
    String sentence();

    /** The steps performed, with their durations, for the mail body. */
    List<TimedStep> steps();

    /**
     * Redis is master now, confirmed by {@code INFO replication} on a fresh connection.
     *
     * @param wasMaster     it was master already: nothing promoted (the config may have been rewritten)
     * @param forcedPast    the guard's objection that {@code force} overrode
     * @param closedClients client connections {@code CLIENT KILL TYPE normal|pubsub} closed
     * @param warnings      what went wrong without undoing the promotion (a failed {@code CONFIG REWRITE})
     * @param runId         the promoted Redis's {@code run_id}, for the guard's next decision; empty if hidden
     */
    record Promoted(String sentence, boolean wasMaster, Optional<String> forcedPast, long closedClients,
                    List<TimedStep> steps, List<String> warnings, Optional<String> runId) implements PromotionResult {
        public Promoted {
            steps = List.copyOf(steps);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The guard refused: promoting would lose data. Nothing was sent to Redis but {@code INFO}. The
     * caller turns this into FAULT and mail; {@code force} overrides it.
     *
     * @param reason completes "refused to promote because ..."
     */
    record Refused(String sentence, String reason, List<TimedStep> steps) implements PromotionResult {
        public Refused {
            steps = List.copyOf(steps);
        }
    }

    /**
     * Redis could not be reached, rejected a command, or does not report {@code role:master}
     * afterwards. The steps show how far it got.
     */
    record Failed(String sentence, String reason, List<TimedStep> steps) implements PromotionResult {
        public Failed {
            steps = List.copyOf(steps);
        }
    }
}
