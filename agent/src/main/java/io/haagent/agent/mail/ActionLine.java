package io.haagent.agent.mail;

import java.time.Duration;
import java.util.Objects;

/**
 * One step an action took, as a line of a mail's {@code steps:} section: {@code redis promote  ok  12 ms}.
 *
 * @param outcome a word or a short sentence: {@code ok}, {@code failed: timed out after 10s}, {@code skipped}
 */
public record ActionLine(String name, String outcome, Duration duration) {
    public ActionLine {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(duration, "duration");
    }
}
