package io.haagent.agent.heal;

import java.util.List;

/**
 * The outcome of one {@link Healer#decide}: the new state, the actions to perform in order, when to
 * call {@code decide} again with {@link Observation.TimePassed} even if nothing else happens, and one
 * sentence per service (or the node) whose situation changed — empty in steady state (STYLE §8).
 *
 * @param nextWakeAtNanos on the injected ticker; {@link #NEVER} when only an event can change anything
 * @param sentences       what to log, each with its severity (a give-up warns, an escalation is an error)
 */
public record Decision(HealState state, List<Action> actions, long nextWakeAtNanos, List<Sentence> sentences) {
    /** No deadline pending. */
    public static final long NEVER = Long.MAX_VALUE;

    public Decision {
        actions = List.copyOf(actions);
        sentences = List.copyOf(sentences);
    }

    /** The sentences' text, in order. */
    public List<String> log() {
        return sentences.stream().map(Sentence::text).toList();
    }
}
