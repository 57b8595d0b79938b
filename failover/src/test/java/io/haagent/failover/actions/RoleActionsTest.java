package io.haagent.failover.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.lease.Fence;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import io.haagent.lint.Linter;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The role actions against real redis-servers: what a transition and a reload of the actions do. */
class RoleActionsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path stateDir;

    private final BlockingQueue<RoleActions.Report> reports = new LinkedBlockingQueue<>();

    @BeforeAll
    static void redis() {
        RedisServer.assumeAvailable();
    }

    private static VrrpInstance instance(int promotePort) {
        String yaml = """
                vrrp:
                  vip:
                    vrid: 51
                    version: 3
                    transport: udp
                    unicast: { source: 127.0.0.1, peers: ["127.0.0.2"] }
                    on_master:
                      redis_promote: { port: %d, max_link_down: 10s }
                """.formatted(promotePort);
        Linter.Linted linted = Linter.lint(new Linter.Source("t.yaml", yaml), Linter.Options.DEFAULT);
        assertFalse(linted.hasErrors(), linted.findings().toString());
        return linted.config().orElseThrow().vrrp().get("vip");
    }

    private static VrrpEvent master() {
        return new VrrpEvent("ev1", "vip", VrrpState.BACKUP, VrrpState.MASTER, "test", 100, Optional.of(Ipv4.parse("127.0.0.1")),
                Instant.now());
    }

    private RoleActions.Report next() throws InterruptedException {
        RoleActions.Report r = reports.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(r, "no report within " + WAIT);
        return r;
    }

    /**
     * Review finding: a reload that changes on_master while the node is MASTER swapped the actions and did nothing
     * for the role in force (the new Redis never promoted until a failover); and the old and new actions could run
     * at once on two threads. Now the reload is a job on the same thread that promotes the new Redis.
     */
    @Test
    void reconfigure_whileMaster_promotesTheNewRedis_onTheSameThread_andNothingElse() throws Exception {
        try (RedisServer first = RedisServer.start();
             RedisServer second = RedisServer.builder().replicaOf(first).start()) {
            second.awaitMasterLinkUp(WAIT);
            RoleActions actions = RoleActions.of("vip", instance(first.port()), stateDir, reports::add);
            try {
                actions.transitioned(master());
                assertTrue(next().outcomes().getFirst().ok());

                actions.reconfigure(instance(second.port()), stateDir, Optional.of(master()));

                RoleActions.Report r = next();
                assertInstanceOf(RoleActions.Trigger.Reconfigured.class, r.trigger());
                assertEquals(1, r.outcomes().size(), r.outcomes().toString());
                assertEquals(RoleActions.Kind.REDIS_PROMOTE, r.outcomes().getFirst().kind());
                assertTrue(r.outcomes().getFirst().ok(), r.outcomes().toString());
                assertTrue(second.command("INFO", "replication").contains("role:master"));

                actions.reconfigure(instance(second.port()), stateDir, Optional.of(master())); // nothing changed
                assertEquals(null, reports.poll(300, TimeUnit.MILLISECONDS), "no report when nothing was done");
                // issue 15: a job that did nothing (no report) is not under way either: the load push says so
                Eventually.within(WAIT, "no action under way", () -> !actions.busy());
            } finally {
                actions.close();
            }
        }
    }

    /**
     * Issue 14, fenced steps: behind a lease, REPLICAOF NO ONE runs only when the fence, asked immediately before it,
     * grants it. A lease lost between the transition and the step leaves the Redis a replica; the step is reported as
     * not run, not as a refused promotion (which would put the instance in FAULT: the lease side demotes it instead).
     */
    @Test
    void fencedPromotion_refused_leavesTheReplicaAlone_granted_namesTheEpoch() throws Exception {
        try (RedisServer master = RedisServer.start();
             RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
            replica.awaitMasterLinkUp(WAIT);
            RoleActions actions = RoleActions.of("vip", instance(replica.port()), stateDir, reports::add);
            try {
                actions.fenceWith(() -> Optional.of(new Fence.Refused("the lease's deadline passed 0.3s ago")));
                actions.transitioned(master());

                RoleActions.Report refused = next();
                assertEquals(Optional.empty(), refused.refusal());
                RoleActions.Outcome o = refused.outcomes().getFirst();
                assertEquals(RoleActions.Kind.REDIS_PROMOTE, o.kind());
                assertFalse(o.ok());
                assertEquals("not run: the lease's deadline passed 0.3s ago", o.sentence());
                assertTrue(replica.command("INFO", "replication").contains("role:slave"), "still a replica");

                actions.fenceWith(() -> Optional.of(new Fence.Granted(0x1f)));
                actions.transitioned(master());

                RoleActions.Outcome promoted = next().outcomes().getFirst();
                assertTrue(promoted.ok(), promoted.sentence());
                assertTrue(promoted.sentence().endsWith(" (lease epoch 0x1f)"), promoted.sentence());
                assertTrue(replica.command("INFO", "replication").contains("role:master"));
            } finally {
                actions.close();
            }
        }
    }
}
