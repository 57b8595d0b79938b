package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.heal.Observation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stops an earlier agent left in {@code state_dir/run}, read back by the next one (DaemonProcessTest: end to end). */
class OperatorStopsTest {
    @TempDir
    Path state;

    @Test
    void restore_givesBackTheStopsOfConfiguredServices_andDropsTheFilesOfOthers() throws Exception {
        Path run = Files.createDirectories(state.resolve("run"));
        Files.writeString(run.resolve("web.stopped"), "maintenance\n");
        Files.writeString(run.resolve("gone.stopped"), "old\n");
        Files.writeString(run.resolve("web.pid"), "4242 1 x\n"); // not a stop

        List<Observation> again = new OperatorStops(state).restore(Set.of("web", "db"));

        assertEquals(List.of(new Observation.OperatorStopped("web", "maintenance")), again);
        assertFalse(Files.exists(run.resolve("gone.stopped")), "a service no longer configured has no stop to keep");
        assertTrue(Files.exists(run.resolve("web.pid")));
    }

    @Test
    void restore_withNoRunDirectory_isNothing() {
        assertEquals(List.of(), new OperatorStops(state).restore(Set.of("web")));
    }
}
