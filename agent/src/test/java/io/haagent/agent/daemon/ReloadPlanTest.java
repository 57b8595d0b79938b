package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.HaagentConfig;
import io.haagent.lint.Linter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReloadPlanTest {
    private static HaagentConfig config(String yaml) {
        return Linter.lint(new Linter.Source("t.yaml", yaml), Linter.Options.DEFAULT).config().orElseThrow();
    }

    private static final String BASE = """
            checks:
              web: { type: tcp, address: "127.0.0.1:80" }
              db:  { type: tcp, address: "127.0.0.1:5432" }
            services:
              app: { checks: [web], restart_command: ["/bin/true"] }
            """;

    @Test
    void sameConfig_changesNothing() {
        ReloadPlan p = ReloadPlan.between(config(BASE), config(BASE));
        assertTrue(p.isEmpty());
        assertEquals(List.of("web", "db"), p.checks().kept());
        assertEquals("nothing changed", p.describe());
    }

    @Test
    void addedRemovedChanged_areToldApart_unchangedKept() {
        String next = """
                checks:
                  web: { type: tcp, address: "127.0.0.1:8080" }
                  api: { type: tcp, address: "127.0.0.1:9000" }
                services:
                  app: { checks: [web], restart_command: ["/bin/true"] }
                """;
        ReloadPlan p = ReloadPlan.between(config(BASE), config(next));
        assertEquals(new ReloadPlan.Diff(List.of("api"), List.of("db"), List.of("web"), List.of()), p.checks());
        assertEquals(List.of("app"), p.services().kept(), "a service whose own spec is equal keeps its child");
        assertEquals("checks added api, removed db, changed web", p.describe());
    }

    @Test
    void adminListenChange_isDeferredToTheNextRestart() {
        ReloadPlan p = ReloadPlan.between(config(BASE), config("node: { admin: { listen: \"127.0.0.1:9999\" } }\n" + BASE));
        assertEquals(List.of("node.admin.listen"), p.needsRestart());
    }

    @Test
    void stateDirChange_isDeferredToTheNextRestart() {
        ReloadPlan p = ReloadPlan.between(config(BASE), config("node: { state_dir: /var/lib/other }\n" + BASE));
        assertEquals(List.of("node.state_dir"), p.needsRestart());
        assertTrue(p.describe().endsWith("node.state_dir changed too, which takes effect at the next restart of haagent"));
    }
}
