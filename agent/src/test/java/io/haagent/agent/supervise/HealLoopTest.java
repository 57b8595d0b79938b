package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.Healer;
import io.haagent.agent.heal.ServiceState;
import io.haagent.config.NodeConfig;
import io.haagent.config.ServiceSpec;
import io.haagent.time.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real policy driving the real supervisor: the wiring the daemon does, end to end. */
class HealLoopTest {
    @TempDir
    Path dir;

    private static ServiceSpec service(String script, int maxRestarts) {
        var policy = new ServiceSpec.RestartPolicy(new ServiceSpec.Backoff(Duration.ZERO, Duration.ZERO), maxRestarts,
                Duration.ofMinutes(10), Optional.empty());
        return new ServiceSpec(List.of(), Optional.of(SupervisorTest.sh(script)), policy, Optional.empty(), List.of());
    }

    private final RecordingHooks heard = new RecordingHooks();

    private HealLoop loop(ServiceSpec web) {
        return new HealLoop(new Healer(Map.of("web", web), new NodeConfig.RestartBudget(100, Duration.ofMinutes(1)),
                new Healer.Options(0, Duration.ofSeconds(10))), dir, Ticker.SYSTEM, heard);
    }

    @Test
    void crashLoop_realChild_goesFatalAfterMaxRestarts() throws Exception {
        try (HealLoop loop = loop(service("exit 1", 3))) {
            Await.until("web to go FATAL", () -> loop.state().service("web").state() == ServiceState.FATAL);
            List<String> restarts = heard.log().stream().filter(l -> l.contains("restarting now")).toList();
            assertEquals(3, restarts.size(), String.join("\n", heard.log()));
            assertEquals(1, heard.events().stream().filter(e -> e.kind() == HealEvent.Kind.GIVE_UP).count());
            assertTrue(loop.supervisor().pid("web").isEmpty());
        }
    }

    @Test
    void killedChild_isRestartedByThePolicy() throws Exception {
        try (HealLoop loop = loop(service("exec sleep 60", 5))) {
            Await.until("the first child", () -> loop.supervisor().pid("web").isPresent());
            long first = loop.supervisor().pid("web").getAsLong();
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            Await.until("a new child", () -> loop.supervisor().pid("web").orElse(first) != first);
            Await.until("the restart to finish", () -> loop.state().service("web").state() == ServiceState.STARTING);
            assertTrue(heard.log().stream().anyMatch(l -> l.matches("service web: restarting now \\(attempt 1 of 5\\)"
                    + " because process " + first + " exited with code 137 \\(signal 9, KILL\\) \\[event .{8}]")),
                    String.join("\n", heard.log()));
        }
    }
}
