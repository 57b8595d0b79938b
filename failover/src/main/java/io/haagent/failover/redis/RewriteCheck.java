package io.haagent.failover.redis;

import java.util.Optional;

/**
 * Whether a Redis can persist a role change with {@code CONFIG REWRITE}, as asked before any failover.
 *
 * @param problem what stands in the way, as a sentence for the operator; empty when nothing does
 * @param reached false when Redis could not be asked (not up yet, say): then {@code problem} says why,
 *                and asking again later may find it fine
 */
public record RewriteCheck(Optional<String> problem, boolean reached) {
    static final RewriteCheck FINE = new RewriteCheck(Optional.empty(), true);
}
