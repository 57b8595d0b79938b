package io.haagent.checker.probe;

import io.haagent.config.CheckSpec;
import io.haagent.config.Durations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * {@code file_age}: down when the file was last written longer than {@code max_age} ago, or is
 * missing — a log shipper that stalls stops writing, and absence of activity is the failure.
 * Modification times are wall-clock, so this compares them with the injected wall clock.
 */
final class FileAgeProbe implements Probe {
    /**
     * How far in the future an mtime may be and still count as "just written": the skew between the
     * writer's clock and ours (an NFS server's, say). Further than this and the age cannot be judged —
     * a file touched with a date years ahead would otherwise read "0s ago" and stay UP for all that time,
     * however long its writer has been stalled — so the check is DOWN and says why.
     */
    static final Duration FUTURE_TOLERANCE = Duration.ofSeconds(60);

    private final CheckSpec.FileAge spec;
    private final ProbeContext ctx;
    private final String name;

    FileAgeProbe(CheckSpec.FileAge spec, ProbeContext ctx) {
        this.spec = spec;
        this.ctx = ctx;
        this.name = spec.path().getFileName() == null ? spec.path().toString() : spec.path().getFileName().toString();
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        long start = ctx.ticker().nanoTime();
        var timeout = spec.timing().timeout();
        return ctx.blocking(start, timeout, timeout, () -> measure(start), () -> {});
    }

    private CheckResult measure(long start) throws ProbeFailure {
        Instant modified;
        try {
            modified = Files.getLastModifiedTime(spec.path()).toInstant();
        } catch (NoSuchFileException e) {
            return CheckResult.down(name + " missing", ctx.since(start));
        } catch (IOException e) {
            throw new ProbeFailure("cannot stat " + spec.path() + ": " + Reasons.shorten(e.getMessage()), e);
        }
        Duration age = Duration.between(modified, ctx.wallClock().instant());
        if (age.negated().compareTo(FUTURE_TOLERANCE) > 0) {
            return CheckResult.down(name + " is dated " + Durations.format(age.negated().truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS)) + " in the future (more than the "
                    + Durations.format(FUTURE_TOLERANCE) + " allowed for clock skew), so its age cannot be judged;"
                    + " fix the clock of whatever writes it, or its mtime (touch it)", ctx.since(start));
        }
        if (age.isNegative()) {
            age = Duration.ZERO; // written "in the future": clocks differ (NFS), but it is being written
        }
        String ago = Durations.format(age.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)) + " ago";
        var took = ctx.since(start);
        CheckResult result = age.compareTo(spec.maxAge()) > 0
                ? CheckResult.down(name + " last written " + ago + " > " + Durations.format(spec.maxAge()), took)
                : CheckResult.up(name + " last written " + ago, took);
        return result.withReading(new Reading.FileAge(age));
    }
}
