package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.agent.admin.AdminServer;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.HaagentConfig;
import io.haagent.lint.Linter;
import io.haagent.time.Ticker;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's operator requests against the real heal loop: each answer is true in the order they were made. */
class HealingTest {
    private static final int ROUNDS = 200;

    @TempDir
    Path dir;

    private final AgentMetrics metrics = new AgentMetrics("Values: 0 test");
    private Healing healing;

    @AfterEach
    void close() {
        if (healing != null) {
            healing.close();
        }
        metrics.close();
    }

    private void start(String services) {
        HaagentConfig config = Linter.lint(new Linter.Source("t.yaml", "node: { state_dir: " + dir + " }\n" + services),
                Linter.Options.DEFAULT).config().orElseThrow();
        healing = new Healing(metrics, Ticker.SYSTEM, e -> { }, e -> { }, s -> { });
        healing.apply(config, ReloadPlan.between(config, config));
    }

    /**
     * Issue 13: CtlDaemonTest failed once with 409 on a resume right after a pause. The pause was queued for the heal
     * loop and answered 200 at once; the resume, checked against the loop's state before the loop had applied the
     * pause, was refused as "neither paused nor FATAL". A script's {@code ctl pause app; ctl resume app} hit it too.
     */
    @Test
    void pause_thenResumeAtOnce_isResumedEveryTime() {
        start("services:\n  app: { restart_command: [\"/bin/true\"] }\n");

        for (int i = 0; i < ROUNDS; i++) {
            AdminServer.Reply paused = healing.pause(Optional.of("app"), "deploy " + i, Optional.empty());
            assertEquals(200, paused.status(), "round " + i + ": " + paused.body());
            AdminServer.Reply resumed = healing.resume(Optional.of("app"), "deploy " + i + " done");
            assertEquals(200, resumed.status(), "round " + i + ": " + resumed.body());
        }
    }

    /** Issue 13: the same race for {@code ctl stop app; ctl start app} ("was not stopped by an operator"). */
    @Test
    void stop_thenStartAtOnce_isStartedEveryTime() {
        start("services:\n  app: { process: { command: [\"sleep\", \"600\"], stop_timeout: 2s } }\n");

        for (int i = 0; i < 20; i++) {
            AdminServer.Reply stopped = healing.stop("app", "disk swap " + i);
            assertEquals(200, stopped.status(), "round " + i + ": " + stopped.body());
            AdminServer.Reply started = healing.start("app", "disk swapped " + i);
            assertEquals(200, started.status(), "round " + i + ": " + started.body());
        }
    }
}
