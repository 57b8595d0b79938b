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

    /** Issue 14: one ZooKeeper session per daemon holds the leases; a reload cannot swap it under a MASTER. */
    @Test
    void coordinationChange_isDeferredToTheNextRestart() {
        String zk = "coordination: { zookeeper: { connect: \"127.0.0.1:2181\" } }\n";
        ReloadPlan p = ReloadPlan.between(config(BASE), config(zk + BASE));
        assertEquals(List.of("coordination.zookeeper"), p.needsRestart());
        assertTrue(ReloadPlan.between(config(zk + BASE), config(zk + BASE)).needsRestart().isEmpty());
    }

    private static final String MAIL = """
            notify:
              mail: { smtp: { host: smtp.example.com, port: 25 }, from: haagent@example.com, to: [ops@example.com] }
            """;

    @Test
    void scalerPushChangedAlone_isSaid_notNothingChanged() {
        String push = "scaler:\n  push: { role: web, sink: { http: { url: \"http://127.0.0.1:9000/v1/load\" } } }\n";
        ReloadPlan p = ReloadPlan.between(config(BASE), config(BASE + push));
        assertEquals(List.of("scaler.push"), p.settings());
        assertEquals("scaler.push changed", p.describe());
        assertTrue(ReloadPlan.between(config(BASE + push), config(BASE + push)).settings().isEmpty());
    }

    @Test
    void mailChangedAlone_isSaid_notNothingChanged() {
        // Issue 12: a reload that changed only notify.mail logged "nothing changed" although Mailing applied it.
        ReloadPlan p = ReloadPlan.between(config(BASE), config(BASE + MAIL));
        assertEquals(List.of("notify.mail"), p.settings());
        assertEquals("notify.mail changed", p.describe());
        assertEquals("checks added api; notify.mail changed",
                ReloadPlan.between(config(BASE), config(BASE.replace("checks:\n", "checks:\n  api: { type: tcp, address: "
                        + "\"127.0.0.1:9000\" }\n") + MAIL)).describe());
    }

    @Test
    void restartBudgetAndTokenFile_areAppliedByAReload_andSaidSo() {
        ReloadPlan p = ReloadPlan.between(config(BASE), config("node: { admin: { token_file: /etc/haagent/admin.token }, "
                + "restart_budget: { max_restarts: 3, within: 5m } }\n" + BASE));
        assertEquals(List.of("node.admin.token_file", "node.restart_budget"), p.settings());
        assertTrue(p.needsRestart().isEmpty());
    }

    @Test
    void adminListenRevertedToTheBoundAddress_needsNoRestart() {
        // Issue 12: reverting admin.listen to the address in use still said "takes effect at the next restart".
        HaagentConfig started = config(BASE);
        HaagentConfig moved = config("node: { admin: { listen: \"127.0.0.1:9999\" } }\n" + BASE);
        assertEquals(List.of("node.admin.listen"), ReloadPlan.between(started.node(), started, moved).needsRestart());
        ReloadPlan back = ReloadPlan.between(started.node(), moved, started);
        assertEquals(List.of(), back.needsRestart());
        assertEquals("nothing changed", back.describe());
        ReloadPlan other = ReloadPlan.between(started.node(), moved, config("node: { admin: { listen: \"127.0.0.1:9998\" } }\n"
                + BASE));
        assertEquals(List.of("node.admin.listen"), other.needsRestart(), "still not the bound address");
    }

    private static String vrrp(String fields) {
        return """
                vrrp:
                  vip:
                    vrid: 51
                    version: 3
                    transport: udp
                    unicast: { source: 127.0.0.1, peers: ["127.0.0.2:9112"] }
                """ + fields;
    }

    @Test
    void vrrpInstance_changedOnlyInWhatIsNotItsIdentity_isReconfiguredInPlace() {
        ReloadPlan p = ReloadPlan.between(config(vrrp("    priority: 100\n")),
                config(vrrp("    priority: 160\n    advert_interval: 100ms\n    preempt: false\n    notify: [\"/bin/true\"]\n")));
        assertEquals(List.of("vip"), p.vrrp().changed());
        assertTrue(p.vrrpInPlace("vip"));
        assertEquals("vrrp changed vip (in place)", p.describe());
    }

    @Test
    void vrrpInstance_withANewVridOrSource_isRestarted_andThePlanSaysWhy() {
        String next = """
                vrrp:
                  vip:
                    vrid: 52
                    version: 3
                    transport: udp
                    unicast: { source: 127.0.0.3, peers: ["127.0.0.2:9112"], port: 9113 }
                """;
        ReloadPlan p = ReloadPlan.between(config(vrrp("")), config(next));
        assertEquals(List.of("vip"), p.vrrp().changed());
        assertEquals(List.of("vrid 51 -> 52", "unicast.source 127.0.0.1 -> 127.0.0.3", "unicast.port default -> 9113"),
                p.vrrpRestarts().get("vip"));
        assertTrue(!p.vrrpInPlace("vip"));
        assertEquals("vrrp changed vip (restarted: vrid 51 -> 52, unicast.source 127.0.0.1 -> 127.0.0.3, unicast.port default -> 9113)",
                p.describe());
    }
}
