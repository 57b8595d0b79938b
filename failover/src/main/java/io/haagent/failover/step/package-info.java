/**
 * The steps a role action took: {@link io.haagent.failover.step.TimedStep}, one thing done or seen and
 * how long it took, the one type in which the Redis actions ({@code failover.redis}) and the address
 * movers ({@code failover.address}) report their steps. A package of its own, below both and below
 * {@code failover.actions} that runs them, so that none of them needs another to name a step.
 */
package io.haagent.failover.step;
