/**
 * The local Redis's role in a failover: {@link io.haagent.failover.redis.RedisPromoter} on MASTER
 * (guard against promoting a stale replica, {@code REPLICAOF NO ONE} + {@code CONFIG REWRITE} +
 * closing client connections in one {@code MULTI}, then confirm {@code role:master}) and
 * {@link io.haagent.failover.redis.RedisReplicator} on BACKUP/FAULT ({@code REPLICAOF} the new master
 * + {@code CONFIG REWRITE}). Both check at startup that the config file can be rewritten.
 *
 * <p>Every action opens one fresh connection with connect and socket timeouts (2 s unless told),
 * authenticates from the configured secret, and returns a result record — never an exception — with
 * the steps done, their durations and one operator sentence. The guard's decision
 * ({@code PromotionGuard}) is a pure function of {@code INFO} text; the rest is package-private.
 */
package io.haagent.failover.redis;
