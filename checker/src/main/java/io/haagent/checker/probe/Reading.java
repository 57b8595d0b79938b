package io.haagent.checker.probe;

import java.time.Duration;
import java.util.Objects;

/**
 * The number a {@code disk} or {@code file_age} run measured and compared with its check's limit, up or down:
 * what the metrics graph, read once, by the probe (a {@code redis} run's numbers are its {@link RedisReplication}).
 * A run that could not measure (no such path, a file dated beyond the clock skew allowed) has none.
 */
public sealed interface Reading {

    /** {@code disk}: the used share of the file system, 0 to 1, as {@code df} counts it (root's reserve is used). */
    record DiskUsed(double ratio) implements Reading {}

    /** {@code file_age}: how long ago the file was last written; zero for an mtime within the skew allowed ahead. */
    record FileAge(Duration age) implements Reading {
        public FileAge {
            Objects.requireNonNull(age, "age");
        }
    }
}
