package io.haagent.agent.logging;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a log line looks like. */
public enum LogFormat {
    /** {@code 2026-12-04T22:50:01.123+00:00 INFO  the sentence [event 0a1b2c3d]}. */
    PLAIN,
    /** {@code {"time":"...","level":"INFO","logger":"...","thread":"...","message":"...","event":"0a1b2c3d"}}. */
    JSON;

    /** The environment variable (or system property) that chooses it when no flag does. */
    public static final String VARIABLE = "HAAGENT_LOG_FORMAT";

    /** The format named {@code word} ({@code plain}, {@code json}, any case). */
    public static Optional<LogFormat> named(String word) {
        return Arrays.stream(values()).filter(f -> f.word().equals(word.strip().toLowerCase(Locale.ROOT))).findFirst();
    }

    /** {@code plain, json}: for "use one of" sentences. */
    public static String words() {
        return Arrays.stream(values()).map(LogFormat::word).collect(Collectors.joining(", "));
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The system property, else the environment variable; empty when neither is set. */
    public static Optional<String> configured() {
        return Setting.of(VARIABLE);
    }
}
