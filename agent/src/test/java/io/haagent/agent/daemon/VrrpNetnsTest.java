package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.NetnsLab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two {@code haagent run} daemons electing over the ip transport (raw protocol 112), each in its own namespace. */
class VrrpNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private NetnsLab lab;
    private final List<VrrpNode> nodes = new ArrayList<>();

    @BeforeEach
    void lab() throws Exception {
        NetnsLab.unavailableReason().ifPresent(why -> Assumptions.abort("network namespace tests skipped: " + why));
        lab = NetnsLab.create(2);
    }

    @AfterEach
    void cleanUp() {
        nodes.forEach(VrrpNode::close);
        if (lab != null) {
            lab.close();
        }
    }

    private VrrpNode node(int i, int priority, boolean preempt) throws Exception {
        NetnsLab.Host me = lab.host(i);
        NetnsLab.Host peer = lab.host(1 - i);
        VrrpNode n = VrrpNode.start("n" + i, me, dir, "redis-vip", """
                vrid: 51
                priority: %d
                advert_interval: 100ms
                version: 3
                transport: ip
                interface: %s
                unicast: { source: %s, peers: [%s] }
                addresses: [%s100]
                preempt: %s
                startup_delay: 300ms
                @NOTIFY@
                """.formatted(priority, me.iface(), me.address(), peer.address(), lab.subnetPrefix(), preempt));
        nodes.add(n);
        return n;
    }

    @Test
    void masterLinkDown_backupTakesOver_linkBackUp_noFlapWithoutPreempt() throws Exception {
        // One after the other: two JVMs starting together can be further apart than a 100 ms advert's
        // startup delay, and then the second one briefly wins — a test of JVM start-up, not of VRRP.
        VrrpNode a = node(0, 150, false);
        a.awaitState("MASTER", WAIT);
        VrrpNode b = node(1, 100, false);
        b.awaitState("BACKUP", WAIT);
        b.awaitMaster(lab.host(0).address(), WAIT); // the backup's state file names the master it follows

        lab.linkDown(0);
        b.awaitState("MASTER", WAIT);
        a.awaitState("FAULT", WAIT); // its interface is down: keepalived does the same

        lab.linkUp(0);
        a.awaitState("BACKUP", WAIT);
        // preempt: false — the returning higher priority stays BACKUP while the master is alive. Give it
        // many advert intervals to misbehave.
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < until) {
            assertEquals("MASTER", b.state().orElseThrow(), "the new master keeps the role\n" + b.log());
            assertEquals("BACKUP", a.state().orElseThrow(), "the old master stays BACKUP\n" + a.log());
            Thread.sleep(50);
        }
        assertEquals(List.of("BACKUP", "MASTER"), b.states(), "the new master's transitions, in hook order");
        assertEquals(List.of("BACKUP", "MASTER", "FAULT", "BACKUP"), a.states(), "the old master's transitions, in hook order");
    }

    @Test
    void gracefulStop_backupTakesOverWithoutWaitingForTheMasterDownInterval() throws Exception {
        VrrpNode a = node(0, 150, true);
        a.awaitState("MASTER", WAIT);
        VrrpNode b = node(1, 100, true);
        b.awaitState("BACKUP", WAIT);

        a.stop(); // SIGTERM: priority-0 advert
        b.awaitState("MASTER", WAIT);
        assertTrue(a.stateFile().orElseThrow().get("state").equals("INIT"), "a stopped instance writes INIT");

        a.launch(); // preempt: true — the higher priority takes MASTER back once it has heard the pair
        a.awaitState("MASTER", WAIT);
        b.awaitState("BACKUP", WAIT);
    }
}
