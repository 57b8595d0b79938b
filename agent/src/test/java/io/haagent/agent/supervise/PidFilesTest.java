package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.ServiceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pid files a planned restart or a crash leaves for the next agent. In CI an upgrade's new agent stopped the
 * child its predecessor had left running instead of adopting it: the recorded start time was the JDK's
 * {@code startInstant} (boot time by the wall clock plus the kernel's ticks), and the wall clock had stepped
 * between the two agents, so the same process seemed to have started 10 s later.
 */
class PidFilesTest {
    @TempDir
    Path state;
    private Process child;

    @BeforeEach
    void start() throws Exception {
        child = new ProcessBuilder("sleep", "60").start();
    }

    @AfterEach
    void stop() {
        child.destroyForcibly();
    }

    @Test
    void record_keepsTheKernelsStartTimeInTicksAfterBoot_whichNoWallClockStepChanges() throws Exception {
        PidFiles files = new PidFiles(state);
        files.record("app", child.toHandle(), spec());

        String[] recorded = Files.readString(state.resolve("run/app.pid")).strip().split(" ");
        assertEquals(Long.toString(child.pid()), recorded[0]);
        String stat = Files.readString(Path.of("/proc", Long.toString(child.pid()), "stat"));
        String ticks = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
        assertEquals("boot+" + ticks, recorded[1]);
    }

    @Test
    void leftover_isTheRecordedProcess_andTheFileIsGone() {
        PidFiles files = new PidFiles(state);
        files.record("app", child.toHandle(), spec());

        Optional<PidFiles.Leftover> found = files.leftover("app", OptionalLong.empty());

        assertEquals(child.pid(), found.orElseThrow().process().pid());
        assertTrue(found.get().startedWith(spec()));
        assertTrue(Files.notExists(state.resolve("run/app.pid")));
    }

    @Test
    void leftover_notAProcessThatOnlyReusedThePid() throws Exception {
        Files.createDirectories(state.resolve("run"));
        Files.writeString(state.resolve("run/app.pid"), child.pid() + " boot+1 f00\n");

        assertEquals(Optional.empty(), new PidFiles(state).leftover("app", OptionalLong.empty()));
    }

    @Test
    void leftover_readsTheFileOfTheVersionBefore_whoseStartTimeWasAnInstant() throws Exception {
        String instant = child.toHandle().info().startInstant().orElseThrow().toString();
        Files.createDirectories(state.resolve("run"));
        Files.writeString(state.resolve("run/app.pid"), child.pid() + " " + instant + " f00\n");

        assertEquals(child.pid(), new PidFiles(state).leftover("app", OptionalLong.empty()).orElseThrow().process().pid());
    }

    private static ServiceSpec.Process spec() {
        return new ServiceSpec.Process(List.of("sleep", "60"), Optional.empty(), Map.of(), ServiceSpec.StopSignal.TERM,
                Duration.ofSeconds(5), Duration.ofSeconds(1));
    }
}
