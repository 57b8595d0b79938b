package io.haagent.failover.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.ZookeeperConfig;
import io.haagent.config.ZookeeperConnect;
import io.haagent.failover.lease.LeaseInput;
import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lease across a real three-server ensemble (curator-test's {@code TestingCluster}, in this JVM, on loopback):
 * losing the server the session is connected to is a SUSPENDED blip while the other two keep the quorum, and the
 * session, with its lease, moves to one of them.
 */
class ZkLeaseQuorumTest {
    private static final int TICK_MS = 500;
    private static final Duration SESSION = Duration.ofSeconds(8);

    private final FakeTicker ticker = new FakeTicker();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void theSessionsServerLost_suspendedThenReconnectedToAnotherWithTheSameSession_leaseKept() throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i, TICK_MS, -1, Map.of(), "127.0.0.1"));
        }
        TestingCluster cluster = new TestingCluster(specs);
        opened.add(cluster);
        cluster.start();
        ZookeeperConfig config = new ZookeeperConfig(ZookeeperConnect.parse(cluster.getConnectString()), SESSION,
                List.of("redis-vip"), "/haagent");
        ZkCoordination zk = ZkCoordination.start(config, "host-a", ticker::nanoTime);
        opened.add(zk);
        Reports reports = new Reports(Duration.ofSeconds(30));
        ZkLease lease = zk.lease(51, "redis-vip", reports);
        lease.acquire();
        LeaseInput.Acquired acquired = reports.next(LeaseInput.Acquired.class);
        InstanceSpec connectedTo = cluster.findConnectionInstance(zk.client().getZookeeperClient().getZooKeeper());

        assertTrue(cluster.killServer(connectedTo), "killed " + connectedTo);

        reports.next(LeaseInput.Suspended.class);
        assertEquals(new LeaseInput.Reconnected(acquired.sessionId()), reports.next(LeaseInput.Reconnected.class));
        long sent = ticker.nanoTime();
        lease.renew();
        assertEquals(new LeaseInput.RenewalAcked(sent), reports.next(LeaseInput.RenewalAcked.class));
        assertTrue(reports.all().stream().noneMatch(LeaseInput.Lost.class::isInstance), "no LOST: " + reports.all());
    }
}
