package io.haagent.agent.heal;

import java.util.Objects;

/**
 * One sentence of a {@link Decision}, with how loud it is: the decision says how much it matters, the
 * loop that logs it only maps that to a log level (STYLE §3: the choice stays in the pure core).
 */
public record Sentence(Severity severity, String text) {
    public Sentence {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(text, "text");
    }

    /** In rising order, so that the loudest of several facts in one sentence wins. */
    public enum Severity {
        /** Healing at work: a restart, a start, a pause. */
        INFO,
        /** Healing gave up, or the host budget holds every restart: an operator must look. */
        WARN,
        /** Healing escalated: a VM is being restarted. */
        ERROR;

        Severity atLeast(Severity other) {
            return compareTo(other) >= 0 ? this : other;
        }
    }
}
