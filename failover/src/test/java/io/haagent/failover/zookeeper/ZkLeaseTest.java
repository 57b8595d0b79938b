package io.haagent.failover.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.ZookeeperConfig;
import io.haagent.config.ZookeeperConnect;
import io.haagent.failover.lease.LeaseInput;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FakeTicker;
import io.haagent.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease edge against a real ZooKeeper server (curator-test's {@code TestingServer}, in this JVM, on loopback):
 * every report the lease decision counts on, from a real session. The server ticks every 200 ms, so it grants session
 * timeouts of 400 ms..4 s (ZooKeeper's default 2..20 x tickTime) and expires a dead session within 4 s.
 */
class ZkLeaseTest {
    private static final int TICK_MS = 200;
    private static final Duration SESSION = Duration.ofSeconds(4);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int VRID = 51;
    private static final String INSTANCE = "redis-vip";

    private final FakeTicker ticker = new FakeTicker();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private TestingServer server;
    private CuratorFramework inspector;

    @BeforeEach
    void startServer() throws Exception {
        InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MS, -1,
                Map.of("minSessionTimeout", String.valueOf(2 * TICK_MS), "maxSessionTimeout", String.valueOf(20 * TICK_MS)), "127.0.0.1");
        server = new TestingServer(spec, true);
        inspector = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
        inspector.start();
        assertTrue(inspector.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS), "inspector connected");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        if (inspector != null) {
            inspector.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void acquire_freeLease_reportsItsCzxidAndOurSession_sentAtTheTickersTime() throws Exception {
        ZkCoordination zk = coordination("host-a", server.getConnectString(), SESSION);
        Eventually.within(WAIT, "a session", () -> zk.sessionId() != 0); // else the data cannot name it yet
        Reports reports = new Reports(WAIT);
        long before = ticker.nanoTime();

        zk.lease(VRID, INSTANCE, reports).acquire();

        LeaseInput.Acquired acquired = reports.next(LeaseInput.Acquired.class);
        Stat stat = inspector.checkExists().forPath("/haagent/lease/51-redis-vip");
        assertNotNull(stat, "the lease node exists");
        assertTrue(acquired.epoch() > 0);
        assertEquals(stat.getCzxid(), acquired.epoch());
        assertEquals(zk.sessionId(), acquired.sessionId());
        assertEquals(stat.getEphemeralOwner(), acquired.sessionId(), "the node is ephemeral, of our session");
        assertEquals(before, acquired.sentAtNanos());
        String data = new String(inspector.getData().forPath("/haagent/lease/51-redis-vip"), StandardCharsets.UTF_8);
        assertEquals("host=host-a\nsession=0x" + Long.toHexString(zk.sessionId()) + "\n", data);
    }

    @Test
    void lease_beforeAnyAcquire_createsItsParent_soTheFailoversCreateIsWarmAndAlone() throws Exception {
        // a BACKUP's first create ran cold on the write gap of a Redis crash (18-43 ms instead of 5): made at start
        ZkCoordination zk = coordination("host-a", server.getConnectString(), SESSION);

        ZkLease lease = zk.lease(VRID, INSTANCE, new Reports(WAIT));

        Eventually.within(WAIT, "the lease's parent created", () -> inspector.checkExists().forPath("/haagent/lease") != null);
        assertNull(inspector.checkExists().forPath(lease.path()), "the lease itself is taken only when asked for");
    }

    @Test
    void acquire_withAChroot_createsItAndPrefixesTheLeaseNode() throws Exception {
        ZkCoordination zk = coordination("host-a", server.getConnectString() + "/tenants/blue", SESSION);
        Reports reports = new Reports(WAIT);

        zk.lease(VRID, INSTANCE, reports).acquire();

        LeaseInput.Acquired acquired = reports.next(LeaseInput.Acquired.class);
        Stat stat = inspector.checkExists().forPath("/tenants/blue/haagent/lease/51-redis-vip");
        assertNotNull(stat, "the lease node lies below the chroot, which was created");
        assertEquals(stat.getCzxid(), acquired.epoch());
    }

    @Test
    void acquire_heldByAnother_namesTheHolderAndItsSession_thenAcquiresOnceItIsDeleted() throws Exception {
        ZkCoordination a = coordination("host-a", server.getConnectString(), SESSION);
        ZkCoordination b = coordination("host-b", server.getConnectString(), SESSION);
        Reports aReports = new Reports(WAIT);
        Reports bReports = new Reports(WAIT);
        ZkLease aLease = a.lease(VRID, INSTANCE, aReports);
        aLease.acquire();
        LeaseInput.Acquired first = aReports.next(LeaseInput.Acquired.class);

        b.lease(VRID, INSTANCE, bReports).acquire();

        LeaseInput.HeldByOther held = bReports.next(LeaseInput.HeldByOther.class);
        assertEquals(new LeaseInput.HeldByOther("host-a", a.sessionId(), SESSION.toNanos()), held);

        aLease.delete(first.epoch());

        LeaseInput.Acquired second = bReports.next(LeaseInput.Acquired.class);
        assertEquals(b.sessionId(), second.sessionId());
        assertTrue(second.epoch() > first.epoch(), "a newer lease has a larger epoch");
    }

    @Test
    void acquire_twiceWhileUnderWay_createsOnce() throws Exception {
        ZkCoordination zk = coordination("host-a", server.getConnectString(), SESSION);
        Reports reports = new Reports(WAIT);
        ZkLease lease = zk.lease(VRID, INSTANCE, reports);

        lease.acquire();
        lease.acquire();
        reports.next(LeaseInput.Acquired.class);
        lease.renew(); // answered after anything a second acquisition would have sent: the session's requests are in order
        reports.next(LeaseInput.RenewalAcked.class);

        assertEquals(1, reports.all().stream().filter(LeaseInput.Acquired.class::isInstance).count(), reports.all().toString());
    }

    @Test
    void acquire_nodeAlreadyOfOurSession_isOurs_withItsEpoch() throws Exception {
        // what a create whose answer was lost and that Curator sent again finds: NodeExists, owned by our session
        ZkCoordination zk = coordination("host-a", server.getConnectString(), SESSION);
        Reports reports = new Reports(WAIT);
        ZkLease lease = zk.lease(VRID, INSTANCE, reports);
        lease.acquire();
        LeaseInput.Acquired first = reports.next(LeaseInput.Acquired.class);
        ticker.advance(Duration.ofSeconds(3));

        lease.acquire();

        assertEquals(new LeaseInput.Acquired(first.epoch(), first.sessionId(), ticker.nanoTime()),
                reports.next(LeaseInput.Acquired.class));
    }

    @Test
    void stopAcquiring_whileAnotherHoldsIt_leavesTheNodeToOthersOnceFreed() throws Exception {
        ZkCoordination a = coordination("host-a", server.getConnectString(), SESSION);
        ZkCoordination b = coordination("host-b", server.getConnectString(), SESSION);
        Reports aReports = new Reports(WAIT);
        Reports bReports = new Reports(WAIT);
        ZkLease aLease = a.lease(VRID, INSTANCE, aReports);
        aLease.acquire();
        LeaseInput.Acquired first = aReports.next(LeaseInput.Acquired.class);
        ZkLease bLease = b.lease(VRID, INSTANCE, bReports);
        bLease.acquire();
        bReports.next(LeaseInput.HeldByOther.class);

        bLease.stopAcquiring();
        aLease.delete(first.epoch());
        Eventually.within(WAIT, "the lease node deleted", () -> inspector.checkExists().forPath(aLease.path()) == null);
        aLease.acquire(); // a watch left on host-b would have created it at the deletion, before this

        LeaseInput.Acquired again = aReports.next(LeaseInput.Acquired.class);
        assertEquals(a.sessionId(), again.sessionId());
        assertTrue(bReports.all().stream().noneMatch(LeaseInput.Acquired.class::isInstance), bReports.all().toString());
    }

    @Test
    void killedSession_holderReportsLostThenANewSession_andThePeerAcquiresOnceTheServerExpiresIt() throws Exception {
        ZkCoordination a = coordination("host-a", server.getConnectString(), SESSION);
        ZkCoordination b = coordination("host-b", server.getConnectString(), SESSION);
        Reports aReports = new Reports(WAIT);
        Reports bReports = new Reports(WAIT);
        a.lease(VRID, INSTANCE, aReports).acquire();
        long oldSession = aReports.next(LeaseInput.Acquired.class).sessionId();
        b.lease(VRID, INSTANCE, bReports).acquire();
        bReports.next(LeaseInput.HeldByOther.class);

        KillSession.kill(a.client().getZookeeperClient().getZooKeeper());

        aReports.next(LeaseInput.Lost.class);
        LeaseInput.Reconnected reconnected = aReports.next(LeaseInput.Reconnected.class);
        assertNotEquals(oldSession, reconnected.sessionId(), "RECONNECTED after LOST is a new session");
        assertEquals(a.sessionId(), reconnected.sessionId());
        LeaseInput.Acquired peer = bReports.next(LeaseInput.Acquired.class);
        assertEquals(b.sessionId(), peer.sessionId());
    }

    @Test
    void renew_stillOurs_acksWithTheTimeItWasSent() throws Exception {
        ZkCoordination zk = coordination("host-a", server.getConnectString(), SESSION);
        Reports reports = new Reports(WAIT);
        ZkLease lease = zk.lease(VRID, INSTANCE, reports);
        lease.acquire();
        reports.next(LeaseInput.Acquired.class);
        ticker.advance(Duration.ofSeconds(7));
        long sent = ticker.nanoTime();

        lease.renew();
        ticker.advance(Duration.ofSeconds(1)); // an answer's arrival time must not count

        assertEquals(new LeaseInput.RenewalAcked(sent), reports.next(LeaseInput.RenewalAcked.class));
    }

    @Test
    void renew_afterSomeoneElseDeletedTheNode_reportsLeaseGone() throws Exception {
        ZkCoordination zk = coordination("host-a", server.getConnectString(), SESSION);
        Reports reports = new Reports(WAIT);
        ZkLease lease = zk.lease(VRID, INSTANCE, reports);
        lease.acquire();
        reports.next(LeaseInput.Acquired.class);
        inspector.delete().forPath(lease.path());

        lease.renew();

        LeaseInput.LeaseGone gone = reports.next(LeaseInput.LeaseGone.class);
        assertEquals("the lease node /haagent/lease/51-redis-vip is gone (deleted, or its session expired)", gone.why());
    }

    @Test
    void delete_ofAnotherEpoch_leavesTheNode_ofItsOwnEpoch_deletesIt() throws Exception {
        ZkCoordination zk = coordination("host-a", server.getConnectString(), SESSION);
        Reports reports = new Reports(WAIT);
        ZkLease lease = zk.lease(VRID, INSTANCE, reports);
        lease.acquire();
        long epoch = reports.next(LeaseInput.Acquired.class).epoch();

        lease.delete(epoch + 1);
        lease.renew(); // answered after the delete's look at the node: the session's requests are in order

        reports.next(LeaseInput.RenewalAcked.class);
        assertNotNull(inspector.checkExists().forPath(lease.path()), "a newer epoch's delete left our node");

        lease.delete(epoch);

        Eventually.within(WAIT, "the lease node deleted", () -> inspector.checkExists().forPath(lease.path()) == null);
    }

    @Test
    void serverDownShorterThanTheSession_suspendedThenReconnectedWithTheSameSession_leaseKept() throws Exception {
        ZkCoordination zk = coordination("host-a", server.getConnectString(), SESSION);
        Reports reports = new Reports(WAIT);
        ZkLease lease = zk.lease(VRID, INSTANCE, reports);
        lease.acquire();
        LeaseInput.Acquired acquired = reports.next(LeaseInput.Acquired.class);

        server.stop();
        reports.next(LeaseInput.Suspended.class);
        server.restart();

        assertEquals(new LeaseInput.Reconnected(acquired.sessionId()), reports.next(LeaseInput.Reconnected.class));
        lease.renew();
        reports.next(LeaseInput.RenewalAcked.class);
        assertEquals(acquired.epoch(), inspector.checkExists().forPath(lease.path()).getCzxid(), "the same lease node");
        assertTrue(reports.all().stream().noneMatch(LeaseInput.Lost.class::isInstance), "no LOST: " + reports.all());
    }

    @Test
    void grantedSessionTimeout_isWhatTheServerNegotiated_clampedTo2To20Ticks() throws Exception {
        ZkCoordination tooLong = coordination("host-a", server.getConnectString(), Duration.ofSeconds(10));
        ZkCoordination tooShort = coordination("host-b", server.getConnectString(), Duration.ofMillis(100));

        Eventually.within(WAIT, "both connected", () -> tooLong.sessionId() != 0 && tooShort.sessionId() != 0);

        Eventually.within(WAIT, "the long one clamped", () -> tooLong.grantedSessionTimeout().toMillis() == 20 * TICK_MS);
        Eventually.within(WAIT, "the short one clamped", () -> tooShort.grantedSessionTimeout().toMillis() == 2 * TICK_MS);
    }

    @Test
    void start_withNothingListening_returnsAtOnce_andAcquireReportsAcquireFailed() {
        int port = FreePorts.tcp();
        ZkCoordination zk = assertTimeoutPreemptively(Duration.ofSeconds(3),
                () -> coordination("host-a", "127.0.0.1:" + port, SESSION),
                "start must not wait for a connection: the daemon starts while ZooKeeper is down");
        assertEquals(0, zk.sessionId());
        assertEquals(SESSION, zk.grantedSessionTimeout(), "before a connection, the one asked for");
        Reports reports = new Reports(WAIT);

        zk.lease(VRID, INSTANCE, reports).acquire();

        LeaseInput.AcquireFailed failed = reports.next(LeaseInput.AcquireFailed.class);
        assertEquals("no connection to ZooKeeper (127.0.0.1:" + port + ") (CONNECTIONLOSS)", failed.why());
        assertNull(reports.all().stream().filter(LeaseInput.Acquired.class::isInstance).findAny().orElse(null));
    }

    private ZkCoordination coordination(String host, String connect, Duration session) {
        ZookeeperConfig config = new ZookeeperConfig(ZookeeperConnect.parse(connect), session, List.of(INSTANCE),
                "/haagent");
        ZkCoordination zk = ZkCoordination.start(config, host, ticker::nanoTime);
        opened.add(zk);
        return zk;
    }
}
