package io.haagent.agent.load.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.ZookeeperConfig;
import io.haagent.config.ZookeeperConnect;
import io.haagent.failover.zookeeper.ZkCoordination;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.ZookeeperServer;
import io.haagent.time.Backoff;
import io.haagent.time.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The zookeeper sink on the daemon's one session, pushed to a real ZooKeeper server (Debian's, on loopback): one
 * ephemeral node per host holding its latest sample, gone when the pusher closes. (The node's return after a session
 * is killed is {@code failover.zookeeper.EphemeralNodeTest}'s.)
 */
class ZookeeperLoadSinkTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String NODE = "/haagent/load/web/host-a";

    private static ZookeeperServer server;
    private static CuratorFramework inspector;

    @BeforeAll
    static void start() throws InterruptedException {
        ZookeeperServer.assumeAvailable();
        server = ZookeeperServer.start();
        inspector = CuratorFrameworkFactory.newClient(server.connectString(), new RetryOneTime(100));
        inspector.start();
        assertTrue(inspector.blockUntilConnected(10, TimeUnit.SECONDS), "inspector connected");
    }

    @AfterAll
    static void stop() {
        if (inspector != null) {
            inspector.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pushed_theHostsNodeHoldsTheLatestSample_andGoesWhenThePusherCloses() throws Exception {
        ZookeeperConfig config = new ZookeeperConfig(ZookeeperConnect.parse(server.connectString()),
                Duration.ofSeconds(10), List.of(), "/haagent");
        Samples samples = new Samples("host-a", "web");
        try (ZkCoordination zk = ZkCoordination.start(config, "host-a", Ticker.SYSTEM)) {
            ZookeeperLoadSink sink = new ZookeeperLoadSink(
                    zk.ephemeralNode(ZookeeperLoadSink.nodePath("/haagent/load", "web", "host-a")));
            assertEquals("zookeeper " + NODE, sink.name());
            LoadPusher pusher = new LoadPusher(samples, sink, Duration.ofMillis(50), 10,
                    new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)), PushListener.NONE, Ticker.SYSTEM,
                    InstantSource.system()).start();
            try {
                Eventually.within(WAIT, "a few samples published", () -> samples.taken() >= 3
                        && inspector.checkExists().forPath(NODE) != null);
                long seq = Samples.seqOf(new String(inspector.getData().forPath(NODE), StandardCharsets.UTF_8));
                assertTrue(seq >= 1 && seq <= samples.taken(), "the node holds a sample: " + seq);
                assertEquals(zk.sessionId(), inspector.checkExists().forPath(NODE).getEphemeralOwner(), "ephemeral");
                Eventually.within(WAIT, "the node follows the newest sample", () -> Samples.seqOf(new String(
                        inspector.getData().forPath(NODE), StandardCharsets.UTF_8)) > seq);
            } finally {
                pusher.close();
            }
            assertNull(inspector.checkExists().forPath(NODE), "gone at once when the pusher closed, session still open");
        }
    }
}
