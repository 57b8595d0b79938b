/**
 * Healing decisions: a pure function of what was observed and the monotonic clock (STYLE §3, §5).
 *
 * <p>{@link io.haagent.agent.heal.Healer#decide} takes one {@link io.haagent.agent.heal.Observation}
 * (a fact, in the past tense), the previous {@link io.haagent.agent.heal.HealState} and the time,
 * and returns a {@link io.haagent.agent.heal.Decision}: the new state, the
 * {@link io.haagent.agent.heal.Action}s an actuator performs (package {@code supervise}), the time
 * to wake up next, and one sentence per service that changed. No I/O, no clock reads, no shared
 * mutable state: the jitter and the event ids come from a seed carried in the state.
 *
 * <p>States and their stable codes: {@link io.haagent.agent.heal.ServiceState}.
 */
package io.haagent.agent.heal;
