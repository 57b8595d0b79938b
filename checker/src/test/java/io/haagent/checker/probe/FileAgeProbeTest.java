package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.CheckSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** file_age on a fixed wall clock: the file's mtime is set relative to it. */
class FileAgeProbeTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final Probes probes = Probes.builder().wallClock(InstantSource.fixed(NOW)).build();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() {
        probes.close();
    }

    private CheckResult run(Path path, Duration maxAge) throws Exception {
        CheckSpec spec = new CheckSpec.FileAge(path, maxAge, new CheckSpec.CheckTiming(Duration.ofSeconds(10),
                Duration.ofSeconds(2), 2, 3));
        return probes.forCheck("shipper-alive", spec).run().get(30, TimeUnit.SECONDS);
    }

    private Path writtenAgo(Duration age) throws Exception {
        Path log = Files.writeString(tmp.resolve("access.log"), "GET /\n");
        Files.setLastModifiedTime(log, FileTime.from(NOW.minus(age)));
        return log;
    }

    @Test
    void writtenSevenMinutesAgo_maxFive_isDown() throws Exception {
        CheckResult r = run(writtenAgo(Duration.ofMinutes(7)), Duration.ofMinutes(5));
        assertFalse(r.up());
        assertEquals("access.log last written 7m ago > 5m", r.reason());
    }

    @Test
    void writtenTwelveSecondsAgo_maxFiveMinutes_isUp() throws Exception {
        CheckResult r = run(writtenAgo(Duration.ofSeconds(12)), Duration.ofMinutes(5));
        assertTrue(r.up(), r.reason());
        assertEquals("access.log last written 12s ago", r.reason());
    }

    @Test
    void exactlyMaxAge_isStillUp() throws Exception {
        assertTrue(run(writtenAgo(Duration.ofMinutes(5)), Duration.ofMinutes(5)).up());
    }

    @Test
    void writtenInTheFuture_clockSkew_isUp() throws Exception {
        Path log = writtenAgo(Duration.ZERO);
        Files.setLastModifiedTime(log, FileTime.from(NOW.plusSeconds(30)));
        CheckResult r = run(log, Duration.ofMinutes(5));
        assertTrue(r.up(), r.reason());
        assertEquals("access.log last written 0s ago", r.reason());
    }

    /** Issue 12: a file dated in the future read "0s ago" and stayed UP, however long ago its writer stalled. */
    @Test
    void writtenFarInTheFuture_isDown_andSaysWhy() throws Exception {
        Path log = writtenAgo(Duration.ZERO);
        Files.setLastModifiedTime(log, FileTime.from(NOW.plus(Duration.ofDays(2)).plusSeconds(3)));
        CheckResult r = run(log, Duration.ofMinutes(5));
        assertFalse(r.up(), r.reason());
        assertEquals("access.log is dated 2d3s in the future (more than the 1m allowed for clock skew), so its age"
                + " cannot be judged; fix the clock of whatever writes it, or its mtime (touch it)", r.reason());
    }

    @Test
    void justOverTheTolerance_isDown_justUnder_isUp() throws Exception {
        Path log = writtenAgo(Duration.ZERO);
        Files.setLastModifiedTime(log, FileTime.from(NOW.plus(FileAgeProbe.FUTURE_TOLERANCE).plusSeconds(1)));
        assertFalse(run(log, Duration.ofMinutes(5)).up());
        Files.setLastModifiedTime(log, FileTime.from(NOW.plus(FileAgeProbe.FUTURE_TOLERANCE)));
        assertTrue(run(log, Duration.ofMinutes(5)).up());
    }

    @Test
    void missingFile_isDown() throws Exception {
        CheckResult r = run(tmp.resolve("access.log"), Duration.ofMinutes(5));
        assertFalse(r.up());
        assertEquals("access.log missing", r.reason());
        assertEquals(Optional.empty(), r.reading(), "no file, no age");
    }

    @Test
    void reading_isTheAgeComparedWithMaxAge_upOrDown_butNoneForAFutureDateItCannotJudge() throws Exception {
        Path log = writtenAgo(Duration.ofMinutes(7).plusMillis(250));
        assertEquals(Optional.of(new Reading.FileAge(Duration.ofMinutes(7).plusMillis(250))),
                run(log, Duration.ofMinutes(5)).reading());
        assertEquals(Optional.of(new Reading.FileAge(Duration.ofMinutes(7).plusMillis(250))),
                run(log, Duration.ofMinutes(10)).reading());
        Files.setLastModifiedTime(log, FileTime.from(NOW.plusSeconds(30)));
        assertEquals(Optional.of(new Reading.FileAge(Duration.ZERO)), run(log, Duration.ofMinutes(5)).reading(),
                "within the clock skew allowed: just written");
        Files.setLastModifiedTime(log, FileTime.from(NOW.plus(Duration.ofDays(2))));
        assertEquals(Optional.empty(), run(log, Duration.ofMinutes(5)).reading());
    }
}
