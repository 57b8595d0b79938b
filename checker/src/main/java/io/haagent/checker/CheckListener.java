package io.haagent.checker;

/**
 * Hears what the checks do. Each listener gets its own thread and its own ordered queue, so a slow
 * or throwing listener delays or breaks nobody else, and the scheduler does not wait for it. For one
 * listener, the events of a check come in the order they happened, a flip right after the result
 * that caused it. Events are handed over in small batches, a few milliseconds after they happened.
 */
public interface CheckListener {
    /** After every run of every check, with the check's status including that result. */
    default void resultRecorded(CheckStatus status) {}

    /** After every flip, including a check's first result ({@code UNKNOWN -> UP/DOWN}). */
    default void stateChanged(CheckFlip flip) {}
}
