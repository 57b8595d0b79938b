package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.Eventually;
import io.haagent.testkit.NetnsLab;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code haagent run} daemons electing over the ip transport (raw protocol 112), each in its own namespace;
 * a third namespace is a client of their service address.
 */
class VrrpNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private NetnsLab lab;
    private final List<VrrpNode> nodes = new ArrayList<>();

    @BeforeEach
    void lab() throws Exception {
        NetnsLab.unavailableReason().ifPresent(why -> Assumptions.abort("network namespace tests skipped: " + why));
        lab = NetnsLab.create(3); // the third host is a client of the service address
    }

    @AfterEach
    void cleanUp() {
        nodes.forEach(VrrpNode::close);
        if (lab != null) {
            lab.close();
        }
    }

    private VrrpNode node(int i, int priority, boolean preempt) throws Exception {
        return node(i, priority, preempt, false);
    }

    /**
     * One node of the pair. {@code ownsAddress}: MASTER adds the service address ({@code local} move, with
     * gratuitous ARP); else the address is only listed in the adverts.
     */
    private VrrpNode node(int i, int priority, boolean preempt, boolean ownsAddress) throws IOException {
        NetnsLab.Host me = lab.host(i);
        NetnsLab.Host peer = lab.host(1 - i);
        String address = ownsAddress ? "on_master:\n  address:\n    local: { ip: " + vip() + "/" + me.prefixLength()
                + ", interface: " + me.iface() + " }" : "addresses: [" + vip() + "]";
        VrrpNode n = VrrpNode.start("n" + i, me, dir, "redis-vip", """
                vrid: 51
                priority: %d
                advert_interval: 100ms
                version: 3
                transport: ip
                interface: %s
                unicast: { source: %s, peers: [%s] }
                %s
                preempt: %s
                startup_delay: 300ms
                @NOTIFY@
                """.formatted(priority, me.iface(), me.address(), peer.address(), address, preempt));
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
        assertTrue(a.stateFile().orElseThrow().get("state").equals("STOP"), "a stopped instance writes STOP (issue 12: was INIT)");

        a.launch(); // preempt: true — the higher priority takes MASTER back once it has heard the pair
        a.awaitState("MASTER", WAIT);
        b.awaitState("BACKUP", WAIT);
    }

    private String vip() {
        return lab.subnetPrefix() + "100";
    }

    /**
     * A partition in which both sides elect, then heals: the lower priority gives the role and the address up,
     * and the real master re-asserts the address at once (gratuitous ARP), so the neighbours that followed the
     * other side during the partition come back now, not when their ARP entries happen to expire. keepalived
     * users add this with {@code notify_master_rx_lower_pri}.
     */
    @Test
    void partitionHeals_lowerMasterLetsGo_realMasterReassertsTheAddress_neighboursFollowAtOnce() throws Exception {
        NetnsLab.Host h0 = lab.host(0);
        NetnsLab.Host h1 = lab.host(1);
        NetnsLab.Host client = lab.host(2);
        VrrpNode a = node(0, 150, true, true);
        a.awaitState("MASTER", WAIT);
        VrrpNode b = node(1, 100, true, true);
        b.awaitState("BACKUP", WAIT);
        // The client talks to the address once, so it has a neighbour entry that announcements update
        // (Linux creates none from an unsolicited ARP).
        client.exec("bash", "-c", "exec 3<>/dev/tcp/" + vip() + "/9 || true");
        Eventually.within(WAIT, () -> "the client resolves the address to n0\n" + logs(),
                () -> h0.mac().equals(client.neighbourMac(vip())));

        lab.partition(0);
        b.awaitState("MASTER", WAIT); // the other side elects too, and takes the address
        Eventually.within(WAIT, () -> "the client follows n1 during the partition\n" + logs(),
                () -> h1.mac().equals(client.neighbourMac(vip())));
        // Long enough for n0's own announcements from its first MASTER transition (5, a second apart) to be over,
        // so what follows the heal can only be the re-assertion.
        Thread.sleep(6000);
        assertEquals("MASTER", a.state().orElseThrow(), "n0 kept its role: it saw no failure of its own");

        lab.heal(0);
        b.awaitState("BACKUP", WAIT);
        Eventually.within(Duration.ofSeconds(2), () -> "the client follows n0 again at once\n" + logs(),
                () -> h0.mac().equals(client.neighbourMac(vip())));
        assertEquals("MASTER", a.state().orElseThrow());
        assertTrue(a.log().contains("re-asserting the address"), a.log());
        assertTrue(!hasAddress(h1) && hasAddress(h0), "only n0 holds the address");
    }

    private boolean hasAddress(NetnsLab.Host h) throws IOException {
        return h.exec("ip", "-4", "-o", "addr", "show", "dev", h.iface()).contains(" " + vip() + "/");
    }

    private String logs() {
        StringBuilder logs = new StringBuilder();
        nodes.forEach(n -> logs.append(n.name).append(":\n").append(n.log()).append('\n'));
        return logs.toString();
    }
}
