package io.haagent.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** The daemon's log level: {@code haagent run --log-level}, else {@code HAAGENT_LOG_LEVEL} ({@link LogSetup}), else info. */
public final class LogLevels {
    /** The environment variable (or system property) {@link LogSetup} reads. */
    public static final String VARIABLE = "HAAGENT_LOG_LEVEL";
    private static final List<String> NAMES = List.of("error", "warn", "info", "debug", "trace");
    public static final String WORDS = String.join(", ", NAMES);

    private LogLevels() {}

    /** The level named {@code word}, any case; empty for anything else (logback would take it as DEBUG). */
    public static Optional<Level> named(String word) {
        String w = word.strip().toLowerCase(Locale.ROOT);
        return NAMES.contains(w) ? Optional.of(Level.toLevel(w)) : Optional.empty();
    }

    /** The system property, else the environment variable; empty when neither is set. */
    public static Optional<String> configured() {
        return Setting.of(VARIABLE);
    }

    /** Sets the root logger's level, whether or not logback has read its configuration yet. */
    public static void useForRoot(Level level) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(level);
    }
}
