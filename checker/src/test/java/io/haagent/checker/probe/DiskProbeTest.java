package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haagent.config.CheckSpec;

import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskProbeTest {
    private static Probes probes;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        probes = Probes.create();
    }

    @AfterAll
    static void tearDown() {
        probes.close();
    }

    private static CheckResult run(Path path, int maxUsedPercent) throws Exception {
        CheckSpec spec = new CheckSpec.Disk(path, maxUsedPercent, new CheckSpec.CheckTiming(Duration.ofSeconds(30),
                Duration.ofSeconds(2), 2, 3));
        return probes.forCheck("disk", spec).run().get(30, TimeUnit.SECONDS);
    }

    private double usedPercent(Path p) throws Exception {
        FileStore store = Files.getFileStore(p);
        return 100.0 * (store.getTotalSpace() - store.getUsableSpace()) / store.getTotalSpace();
    }

    @Test
    void max100_isAlwaysUp() throws Exception {
        CheckResult r = run(tmp, 100);
        assertTrue(r.up(), r.reason());
        assertTrue(r.reason().matches("disk \\d+% used"), r.reason());
    }

    @Test
    void thresholdBelowCurrentUsage_isDown_reasonShowsBoth() throws Exception {
        double used = usedPercent(tmp);
        assumeTrue(used > 1.5, "the temp file system is nearly empty (" + used + "%): no threshold below it");
        int max = (int) Math.floor(used) - 1 < 1 ? 1 : (int) Math.floor(used) - 1;
        CheckResult r = run(tmp, max);
        assertFalse(r.up());
        assertTrue(r.reason().matches("disk \\d+% used > " + max + "%"), r.reason());
    }

    @Test
    void thresholdAboveCurrentUsage_isUp_usedRoundedUpLikeDf() throws Exception {
        double used = usedPercent(tmp);
        assumeTrue(used < 98, "the temp file system is too full for this test");
        int shown = (int) Math.ceil(used);
        CheckResult r = run(tmp, shown + 1);
        assertTrue(r.up(), r.reason());
        // usage moves while the test runs; allow one point either way
        String n = r.reason().replaceAll("\\D+", " ").strip();
        assertTrue(Math.abs(Integer.parseInt(n) - shown) <= 1, r.reason() + " vs " + used);
    }

    @Test
    void missingPath_isDown() throws Exception {
        CheckResult r = run(tmp.resolve("nope"), 90);
        assertFalse(r.up());
        assertEquals(tmp.resolve("nope") + " does not exist", r.reason());
        assertEquals(Optional.empty(), r.reading(), "nothing measured: the gauge is absent, not a stale number");
    }

    @Test
    void reading_isTheUsedRatioTheThresholdWasComparedWith_unrounded() throws Exception {
        double used = usedPercent(tmp);
        CheckResult r = run(tmp, 100);
        Reading.DiskUsed reading = (Reading.DiskUsed) r.reading().orElseThrow();
        assertTrue(reading.ratio() >= 0 && reading.ratio() <= 1, reading.toString());
        // usage moves while the test runs; allow one point either way
        assertTrue(Math.abs(reading.ratio() * 100 - used) <= 1, reading + " vs " + used + "%");
    }
}
