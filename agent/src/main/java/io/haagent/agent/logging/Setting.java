package io.haagent.agent.logging;

import java.util.Optional;

/** A logging setting named by a variable: the system property (tests, {@code -D}) over the environment. */
final class Setting {
    private Setting() {}

    /** Its value; empty when neither is set or it is blank. */
    static Optional<String> of(String variable) {
        String v = System.getProperty(variable);
        if (v == null) {
            v = System.getenv(variable);
        }
        return Optional.ofNullable(v).filter(s -> !s.isBlank());
    }
}
