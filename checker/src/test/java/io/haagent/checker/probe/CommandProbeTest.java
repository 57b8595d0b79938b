package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.CheckSpec;

import io.haagent.testkit.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command probe with real child processes (sh, sleep, head); each one is dead when a test ends. */
class CommandProbeTest {
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

    @AfterEach
    void killLeftovers() throws Exception {
        // Pids the scripts wrote: whatever the assertions said, nothing started here outlives the test.
        try (var files = Files.list(tmp)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                String text = Files.readString(p).strip();
                if (!text.isEmpty()) {
                    ProcessHandle.of(Long.parseLong(text)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    private static CheckResult run(Duration timeout, String... command) throws Exception {
        CheckSpec spec = new CheckSpec.Command(List.of(command), new CheckSpec.CheckTiming(timeout.multipliedBy(2), timeout, 2, 3));
        return probes.forCheck("custom", spec).run().get(30, TimeUnit.SECONDS);
    }

    @Test
    void exitZero_isUp() throws Exception {
        CheckResult r = run(Duration.ofSeconds(5), "true");
        assertTrue(r.up(), r.reason());
        assertEquals("exit 0", r.reason());
        assertEquals(Optional.of(""), r.output());
    }

    @Test
    void exitOne_isDown_reasonHasTheFirstLineOfOutput_stderrIncluded() throws Exception {
        CheckResult r = run(Duration.ofSeconds(5), "sh", "-c", "echo; echo 'queue depth 9000' >&2; echo second; exit 1");
        assertFalse(r.up());
        assertEquals("exit 1: queue depth 9000", r.reason());
        assertTrue(r.output().orElseThrow().contains("second"));
    }

    @Test
    void exitZero_withOutput_reasonShowsIt() throws Exception {
        CheckResult r = run(Duration.ofSeconds(5), "sh", "-c", "echo all good");
        assertEquals("exit 0: all good", r.reason());
    }

    @Test
    void hugeOutput_isTruncatedToAFewKB_andTheProgramIsNotBlocked() throws Exception {
        CheckResult r = run(Duration.ofSeconds(10), "sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; exit 0");
        assertTrue(r.up(), r.reason());
        String out = r.output().orElseThrow();
        assertTrue(out.length() < CommandProbe.MAX_OUTPUT + 100, "output of " + out.length() + " chars");
        assertTrue(out.endsWith("... (" + (1_000_000 - CommandProbe.MAX_OUTPUT) + " more bytes)"), out.substring(out.length() - 40));
    }

    @Test
    void slowProgram_isKilledAtTheTimeout_reasonSaysSo() throws Exception {
        Path pid = tmp.resolve("sleeper.pid");
        CheckResult r = run(Duration.ofMillis(500), "sh", "-c", "echo $$ > " + pid + "; echo started; exec sleep 30");
        assertFalse(r.up());
        assertEquals("timed out after 500ms, killed: started", r.reason());
        assertGone(pid);
    }

    @Test
    void slowProgram_itsChildrenAreKilledToo() throws Exception {
        Path pid = tmp.resolve("child.pid");
        CheckResult r = run(Duration.ofMillis(500), "sh", "-c", "sleep 30 & echo $! > " + pid + "; wait");
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("timed out after 500ms, killed"), r.reason());
        assertGone(pid);
    }

    @Test
    void missingProgram_isDown_reasonSaysWhy() throws Exception {
        CheckResult r = run(Duration.ofSeconds(5), "/nonexistent/check-foo");
        assertFalse(r.up());
        assertEquals("cannot run /nonexistent/check-foo: No such file or directory", r.reason());
    }

    private static void assertGone(Path pidFile) throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        Eventually.within(Duration.ofSeconds(10), "process " + pid + " to be gone after the check timed out",
                () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }
}
