package io.haagent.failover.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.config.ZookeeperConfig;
import io.haagent.config.ZookeeperConnect;
import io.haagent.failover.actions.RoleActions;
import io.haagent.failover.lease.Fence;
import io.haagent.failover.lease.LeaseParams;
import io.haagent.failover.redis.RedisWritePause;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.InstanceStatus;
import io.haagent.failover.vrrp.instance.LeaseSetup;
import io.haagent.failover.vrrp.instance.RunnerListener;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import io.haagent.failover.vrrp.instance.VrrpInstanceRunner;
import io.haagent.failover.vrrp.net.AdvertHub;
import io.haagent.lint.Linter;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FreePorts;
import io.haagent.testkit.RedisServer;
import io.haagent.time.Ticker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 with real parts: two VRRP runners electing over udp on loopback (127.0.0.1 and 127.0.0.2), each with its
 * role actions on a real redis-server, both behind the lease on a real ZooKeeper server (curator-test's TestingServer,
 * ticking every 500 ms so it grants the 6 s session asked for: deadline 4.8 s after a renewal was sent).
 */
class LeasedPairTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration SESSION = Duration.ofSeconds(6);
    private static final int TICK_MS = 500;
    private static final Ipv4 A = Ipv4.parse("127.0.0.1");
    private static final Ipv4 B = Ipv4.parse("127.0.0.2");

    @TempDir
    Path dir;

    private final AdvertHub hub = AdvertHub.system();
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestingServer zk;
    /** The ensemble both ends connect to: the TestingServer's, unless a test starts a cluster first. */
    private String connect;

    @BeforeAll
    static void redis() {
        RedisServer.assumeAvailable();
    }

    @BeforeEach
    void startZookeeper() throws Exception {
        InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MS, -1,
                Map.of("minSessionTimeout", String.valueOf(2 * TICK_MS), "maxSessionTimeout",
                        String.valueOf(20 * TICK_MS)), "127.0.0.1");
        zk = new TestingServer(spec, true);
        connect = zk.getConnectString();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        hub.close();
        zk.close();
    }

    /** One end of the pair. */
    private record Node(String label, VrrpInstanceRunner runner, RedisServer redis, ZkCoordination coordination,
                        List<VrrpEvent> events) {
        VrrpEvent awaitState(VrrpState state, int after) {
            return Eventually.get(WAIT, () -> label + " to enter " + state + " after event " + after + "; events "
                    + events + "; status " + runner.status(), () -> events.stream().skip(after)
                    .filter(e -> e.to() == state).findFirst());
        }

        VrrpState state() {
            return runner.status().state();
        }

        InstanceStatus.LeaseStatus lease() {
            return runner.status().lease().orElseThrow();
        }
    }

    private Node start(String label, Ipv4 source, int port, Ipv4 peer, int peerPort, int priority, RedisServer redis,
                       int peerRedisPort) throws Exception {
        String yaml = """
                vrrp:
                  vip:
                    vrid: 51
                    priority: %d
                    advert_interval: 100ms
                    version: 3
                    transport: udp
                    preempt: false
                    unicast: { source: %s, port: %d, peers: ["%s:%d"] }
                    on_master:
                      redis_promote: { host: 127.0.0.1, port: %d, max_link_down: 10m }
                    on_backup:
                      redis_replicate: { port: %d, master_port: %d }
                coordination:
                  zookeeper: { connect: "%s", session_timeout: 6s, lease_for: [vip] }
                """.formatted(priority, source, port, peer, peerPort, redis.port(), redis.port(), peerRedisPort,
                connect);
        Linter.Linted linted = Linter.lint(new Linter.Source(label + ".yaml", yaml), Linter.Options.DEFAULT);
        assertFalse(linted.hasErrors(), linted.findings().toString());
        VrrpInstance vi = linted.config().orElseThrow().vrrp().get("vip");
        ZookeeperConfig zc = new ZookeeperConfig(ZookeeperConnect.parse(connect), SESSION, List.of("vip"),
                "/haagent");
        ZkCoordination coordination = ZkCoordination.start(zc, "host-" + label, Ticker.SYSTEM);
        open.add(coordination);
        Path state = Files.createDirectories(dir.resolve(label));
        List<VrrpEvent> events = new CopyOnWriteArrayList<>();
        AtomicReference<VrrpInstanceRunner> runner = new AtomicReference<>();
        RoleActions actions = RoleActions.of("vip", vi, state, report -> { });
        actions.fenceWith(() -> runner.get() == null ? Optional.of(new Fence.Refused("not started"))
                : runner.get().fence());
        open.add(actions);
        LeaseSetup lease = new LeaseSetup(LeaseParams.of("vip", SESSION, vi.advertInterval()),
                heard -> coordination.lease(vi.vrid(), "vip", heard::accept),
                vi.onMaster().redisPromote().map(RedisWritePause::of));
        VrrpInstanceRunner r = VrrpInstanceRunner.start("vip", vi, state, hub, Ticker.SYSTEM, InstantSource.system(),
                new RunnerListener() {
                    @Override
                    public void transitioned(VrrpEvent e) {
                        events.add(e);
                        actions.transitioned(e);
                    }

                    @Override
                    public void masterLearned(VrrpEvent e, Ipv4 master) {
                        actions.masterLearned(e, master);
                    }
                }, Set.of(), Optional.of(lease));
        runner.set(r);
        open.add(r);
        return new Node(label, r, redis, coordination, events);
    }

    /** INFO replication, or "" while the role change closes client connections (the promoter's CLIENT KILL). */
    private static String replication(RedisServer redis) {
        try {
            return redis.command("INFO", "replication");
        } catch (java.io.UncheckedIOException e) {
            return "";
        }
    }

    /** A (150) is MASTER with the lease, B (100) its BACKUP, B's Redis a replica of A's. */
    private List<Node> electedPair() throws Exception {
        RedisServer redisA = RedisServer.builder().config("bind 127.0.0.1 127.0.0.2").start();
        open.add(redisA);
        RedisServer redisB = RedisServer.builder().config("bind 127.0.0.1 127.0.0.2").start();
        open.add(redisB);
        int portA = FreePorts.tcp();
        int portB = FreePorts.tcp();
        Node a = start("a", A, portA, B, portB, 150, redisA, redisB.port());
        VrrpEvent master = a.awaitState(VrrpState.MASTER, 0);
        assertTrue(master.reason().contains("; acquired the lease (epoch 0x"), master.reason());
        Node b = start("b", B, portB, A, portA, 100, redisB, redisA.port());
        Eventually.within(WAIT, () -> "b to follow a: " + b.runner().status(),
                () -> b.state() == VrrpState.BACKUP && b.runner().status().master().equals(Optional.of(A)));
        redisB.awaitMasterLinkUp(WAIT);
        return List.of(a, b);
    }

    @Test
    void onlyTheLeaseHolderIsMaster_andLeavingMasterReleasesTheLeaseAtOnce() throws Exception {
        List<Node> pair = electedPair();
        Node a = pair.get(0);
        Node b = pair.get(1);
        assertEquals("HELD", a.lease().phase());
        long epochA = a.lease().epoch();
        assertTrue(epochA > 0);
        assertEquals("IDLE", b.lease().phase());

        int before = b.events().size();
        long t0 = System.nanoTime();
        a.runner().close(); // a stop: priority 0, and the lease deleted at once

        VrrpEvent promoted = b.awaitState(VrrpState.MASTER, before);
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("LeasedPairTest: MASTER a stopped -> b MASTER with the lease in " + tookMillis + " ms");
        assertTrue(promoted.reason().contains("acquired the lease (epoch 0x"), promoted.reason());
        long epochB = b.lease().epoch();
        assertTrue(epochB > epochA, "the newer master's epoch is larger: " + epochB + " vs " + epochA);
        Eventually.within(WAIT, "b's Redis promoted", () -> replication(b.redis()).contains("role:master"));
    }

    @Test
    void zookeeperDownShorterThanTheDeadline_masterStays_writesWaitAndThenLand() throws Exception {
        List<Node> pair = electedPair();
        Node a = pair.get(0);
        Node b = pair.get(1);
        int eventsA = a.events().size();

        zk.stop();
        Eventually.within(WAIT, () -> "a SUSPENDED: " + a.lease(), () -> a.lease().phase().equals("SUSPENDED"));
        CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> a.redis().command("SET", "k", "during"));
        Eventually.within(Duration.ofSeconds(3), () -> "a write held by the pause:\n" + a.redis().command("CLIENT", "LIST"),
                () -> a.redis().command("CLIENT", "LIST").lines().anyMatch(l -> l.contains("cmd=set")
                        && l.matches(".* flags=\\S*b\\S* .*")));
        assertFalse(write.isDone());
        zk.restart();

        assertEquals("OK", write.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        Eventually.within(WAIT, () -> "a HELD again: " + a.lease(), () -> a.lease().phase().equals("HELD"));
        assertEquals(VrrpState.MASTER, a.state());
        assertEquals(eventsA, a.events().size(), "no transition on a: " + a.events());
        assertNotEquals(VrrpState.MASTER, b.state());
        assertEquals("during", a.redis().command("GET", "k"));
    }

    /**
     * A quorum member lost: the server the master's session is connected to dies while the other two keep the quorum.
     * A SUSPENDED blip (writes paused), the session moves to another server, the lease is kept: no transition on
     * either end, and the master's writes go on.
     */
    @Test
    void quorumMemberLost_theMastersServerDies_sessionMoves_noTransition_writesGoOn() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i, TICK_MS, -1,
                    Map.of("minSessionTimeout", String.valueOf(2 * TICK_MS), "maxSessionTimeout",
                            String.valueOf(20 * TICK_MS)), "127.0.0.1"));
        }
        TestingCluster cluster = new TestingCluster(specs);
        open.add(cluster);
        cluster.start();
        connect = cluster.getConnectString();
        List<Node> pair = electedPair();
        Node a = pair.get(0);
        Node b = pair.get(1);
        int eventsA = a.events().size();
        int eventsB = b.events().size();
        long epoch = a.lease().epoch();
        long session = a.coordination().sessionId();

        InstanceSpec server = cluster.findConnectionInstance(a.coordination().client().getZookeeperClient().getZooKeeper());
        assertTrue(cluster.killServer(server), "killed " + server);

        Eventually.within(WAIT, () -> "a's lease HELD again on the same session: " + a.lease(),
                () -> a.lease().phase().equals("HELD") && a.coordination().sessionId() == session);
        assertEquals("OK", a.redis().command("SET", "k", "after"));
        assertEquals(epoch, a.lease().epoch());
        assertEquals(VrrpState.MASTER, a.state());
        assertEquals(eventsA, a.events().size(), "no transition on a: " + a.events());
        assertEquals(eventsB, b.events().size(), "no transition on b: " + b.events());
    }

    /**
     * ZooKeeper itself down (quorum lost) past the deadline while the peer follows the master (its follower adverts):
     * both sides agree, so the master keeps MASTER without the lease (Patroni's failsafe) and its paused writes go on;
     * when ZooKeeper is back it holds the lease again.
     */
    @Test
    void zookeeperDownPastTheDeadline_peerFollowing_masterStaysByFailsafe_writesGoOn() throws Exception {
        List<Node> pair = electedPair();
        Node a = pair.get(0);
        Node b = pair.get(1);
        int eventsA = a.events().size();
        int eventsB = b.events().size();

        zk.stop();
        Eventually.within(WAIT, () -> "a SUSPENDED: " + a.lease(), () -> a.lease().phase().equals("SUSPENDED"));
        CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> a.redis().command("SET", "k", "paused"));
        Eventually.within(WAIT, () -> "a in the failsafe: " + a.lease(), () -> a.lease().phase().equals("FAILSAFE"));

        assertEquals("OK", write.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the pause ends with the failsafe");
        assertEquals("OK", a.redis().command("SET", "k", "failsafe"));
        assertEquals(VrrpState.MASTER, a.state());
        assertEquals(eventsA, a.events().size(), "no transition on a: " + a.events());
        assertTrue(b.events().stream().skip(eventsB).noneMatch(e -> e.to() == VrrpState.MASTER), b.events().toString());

        zk.restart();

        Eventually.within(WAIT, () -> "a HELD again: " + a.lease(), () -> a.lease().phase().equals("HELD"));
        assertEquals(VrrpState.MASTER, a.state());
        assertEquals(eventsA, a.events().size(), "no transition on a: " + a.events());
    }

    /** ZooKeeper down past the deadline, and nothing heard of the peer either: the master demotes at its deadline. */
    @Test
    void zookeeperDownPastTheDeadline_peerSilent_masterDemotesAtItsDeadline_itsRedisReadOnly() throws Exception {
        List<Node> pair = electedPair();
        Node a = pair.get(0);
        Node b = pair.get(1);
        int eventsA = a.events().size();
        b.runner().close(); // b's agent is gone: no follower adverts
        Eventually.within(WAIT, () -> "a's lease HELD: " + a.lease(), () -> a.lease().phase().equals("HELD"));

        zk.stop();
        VrrpEvent demoted = a.awaitState(VrrpState.BACKUP, eventsA);

        assertTrue(demoted.reason().startsWith("lost the lease: deadline passed"), demoted.reason());
        Eventually.within(WAIT, "a's Redis a replica", () -> replication(a.redis()).contains("role:slave"));
        IllegalStateException readonly = assertThrows(IllegalStateException.class, () -> a.redis().command("SET", "k", "x"));
        assertTrue(readonly.getMessage().contains("READONLY"), readonly.getMessage());
    }

    /**
     * No promotion without a lease, ever: ZooKeeper down, the master stops, its peer wants MASTER and stays BACKUP
     * until ZooKeeper is back, and then takes the lease and MASTER.
     */
    @Test
    void zookeeperDown_masterStops_peerIsNotPromotedWithoutALease_untilZookeeperIsBack() throws Exception {
        List<Node> pair = electedPair();
        Node a = pair.get(0);
        Node b = pair.get(1);
        int eventsB = b.events().size();

        zk.stop();
        Eventually.within(WAIT, () -> "a SUSPENDED: " + a.lease(), () -> a.lease().phase().equals("SUSPENDED"));
        a.runner().close();
        Eventually.within(WAIT, () -> "b asking for the lease in vain: " + b.lease(),
                () -> b.lease().phase().equals("ACQUIRING") && b.lease().waiting().startsWith("failed: "));
        assertEquals(VrrpState.BACKUP, b.state());
        assertTrue(b.events().stream().skip(eventsB).noneMatch(e -> e.to() == VrrpState.MASTER), b.events().toString());

        zk.restart();

        VrrpEvent promoted = b.awaitState(VrrpState.MASTER, eventsB);
        assertTrue(promoted.reason().contains("acquired the lease"), promoted.reason());
    }

    /**
     * The master's session expires (curator-test's KillSession expires it in the client; the server drops the node a
     * session timeout later, as it would have before a real expiry reached the client): it demotes at once, and then
     * one of the two takes a new lease, with a newer epoch, and is the only MASTER.
     */
    @Test
    void sessionExpired_masterDemotesAtOnce_thenOneMasterWithANewerEpoch() throws Exception {
        List<Node> pair = electedPair();
        Node a = pair.get(0);
        Node b = pair.get(1);
        long epochA = a.lease().epoch();
        int eventsA = a.events().size();

        KillSession.kill(a.coordination().client().getZookeeperClient().getZooKeeper());

        VrrpEvent demoted = a.awaitState(VrrpState.BACKUP, eventsA);
        assertTrue(demoted.reason().startsWith("lost the lease: LOST: the lease's session 0x"), demoted.reason());
        Eventually.within(WAIT, () -> "exactly one MASTER, with a newer lease: a " + a.runner().status() + ", b "
                + b.runner().status(), () -> {
            boolean am = a.state() == VrrpState.MASTER;
            boolean bm = b.state() == VrrpState.MASTER;
            Node m = am ? a : b;
            return am != bm && m.lease().phase().equals("HELD") && m.lease().epoch() > epochA;
        });
    }
}
