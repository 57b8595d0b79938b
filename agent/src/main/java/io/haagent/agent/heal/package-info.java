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
 * <p>Inside, one decision is a {@code DecisionDraft} (the working copy, the actions and the sentences)
 * that the rules fill in a fixed order: {@code Deadlines} (what fell due), then {@code Facts} or
 * {@code OperatorCommands} (the observation), both of which lead into the {@code Cascade} (what a
 * failure decides), then {@code Deadlines} again and {@code HoldEdges}; a reload starts with
 * {@code ReloadCarryOver}. {@code SeededStream} is the randomness, {@code EventSuffix} the one
 * spelling of an event id in a sentence.
 *
 * <p>States and their stable codes: {@link io.haagent.agent.heal.ServiceState}.
 */
package io.haagent.agent.heal;
