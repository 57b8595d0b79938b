package io.haagent.checker.probe;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one run of a check observed: up or down, and a short human reason such as
 * {@code "HTTP 503 in 12ms"}, {@code "connect refused"}, {@code "timed out after 2s"},
 * {@code "role:master"} or {@code "disk 93% used > 90%"}. The reason goes into the flip log line,
 * {@code /status} and mail as it is.
 *
 * @param up          whether this run passed
 * @param reason      one short sentence fragment, never empty
 * @param duration    how long the run took, as measured by the probe
 * @param replication a {@code redis} check's replication facts (role, link, offsets), when it
 *                    could read them — also on some failures, e.g. a replica answering MASTERDOWN
 * @param output      a {@code command} check's stdout and stderr, truncated to a few KB
 * @param reading     what a {@code disk} or {@code file_age} run measured, when it could
 */
public record CheckResult(boolean up, String reason, Duration duration, Optional<RedisReplication> replication,
                          Optional<String> output, Optional<Reading> reading) {
    public CheckResult {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(reading, "reading");
    }

    public static CheckResult up(String reason, Duration duration) {
        return new CheckResult(true, reason, duration, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static CheckResult down(String reason, Duration duration) {
        return new CheckResult(false, reason, duration, Optional.empty(), Optional.empty(), Optional.empty());
    }

    CheckResult withReplication(RedisReplication r) {
        return new CheckResult(up, reason, duration, Optional.of(r), output, reading);
    }

    CheckResult withOutput(String text) {
        return new CheckResult(up, reason, duration, replication, Optional.of(text), reading);
    }

    CheckResult withReading(Reading r) {
        return new CheckResult(up, reason, duration, replication, output, Optional.of(r));
    }
}
