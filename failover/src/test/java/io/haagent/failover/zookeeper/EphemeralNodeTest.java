package io.haagent.failover.zookeeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.ZookeeperConfig;
import io.haagent.config.ZookeeperConnect;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FakeTicker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load push's ephemeral node against a real ZooKeeper server (curator-test's {@code TestingServer} on loopback):
 * present with the latest data, of our session; gone when closed and when the session dies; back at the next publish.
 */
class EphemeralNodeTest {
    private static final int TICK_MS = 200;
    private static final Duration SESSION = Duration.ofSeconds(4);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String NODE = "/haagent/load/web/host-a";

    private final List<AutoCloseable> opened = new ArrayList<>();
    private TestingServer server;
    private CuratorFramework inspector;

    @BeforeEach
    void startServer() throws Exception {
        InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MS, -1,
                Map.of("minSessionTimeout", String.valueOf(2 * TICK_MS), "maxSessionTimeout", String.valueOf(20 * TICK_MS)),
                "127.0.0.1");
        server = new TestingServer(spec, true);
        inspector = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
        inspector.start();
        assertTrue(inspector.blockUntilConnected(10, TimeUnit.SECONDS), "inspector connected");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        inspector.close();
        server.close();
    }

    @Test
    void publish_createsAnEphemeralNodeOfOurSession_thenRewritesItsData() throws Exception {
        ZkCoordination zk = coordination();
        EphemeralNode node = zk.ephemeralNode(NODE);

        node.publish(bytes("{\"seq\":1}"));
        node.publish(bytes("{\"seq\":2}"));

        Stat stat = inspector.checkExists().forPath(NODE);
        assertNotNull(stat, "the node exists, its parents created");
        assertEquals(zk.sessionId(), stat.getEphemeralOwner(), "ephemeral, of our session");
        assertArrayEquals(bytes("{\"seq\":2}"), inspector.getData().forPath(NODE), "the latest data");
    }

    @Test
    void close_deletesTheNodeAtOnce() throws Exception {
        ZkCoordination zk = coordination();
        EphemeralNode node = zk.ephemeralNode(NODE);
        node.publish(bytes("{}"));

        node.close();

        assertNull(inspector.checkExists().forPath(NODE));
    }

    @Test
    void sessionKilled_theNodeVanishes_andTheNextPublishCreatesItForTheNewSession() throws Exception {
        ZkCoordination zk = coordination();
        EphemeralNode node = zk.ephemeralNode(NODE);
        node.publish(bytes("{\"seq\":1}"));
        long oldSession = zk.sessionId();

        KillSession.kill(zk.client().getZookeeperClient().getZooKeeper());

        Eventually.within(WAIT, "the dead session's node gone", () -> inspector.checkExists().forPath(NODE) == null);
        Eventually.within(WAIT, "a new session", () -> zk.sessionId() != 0 && zk.sessionId() != oldSession);
        node.publish(bytes("{\"seq\":2}"));
        Stat stat = inspector.checkExists().forPath(NODE);
        assertNotNull(stat);
        assertEquals(zk.sessionId(), stat.getEphemeralOwner());
        assertNotEquals(oldSession, stat.getEphemeralOwner());
    }

    @Test
    void publish_overANodeLeftByAnotherSession_replacesItWithOurs() throws Exception {
        inspector.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(NODE, bytes("old"));
        ZkCoordination zk = coordination();

        zk.ephemeralNode(NODE).publish(bytes("new"));

        Stat stat = inspector.checkExists().forPath(NODE);
        assertEquals(zk.sessionId(), stat.getEphemeralOwner(), "ours, so it goes with our session, not the old one");
        assertArrayEquals(bytes("new"), inspector.getData().forPath(NODE));
    }

    @Test
    void publish_withZookeeperDown_failsAsAConnectionFailure() throws Exception {
        ZkCoordination zk = coordination();
        server.stop();

        EphemeralNode.PublishFailed failed = assertThrows(EphemeralNode.PublishFailed.class,
                () -> zk.ephemeralNode(NODE).publish(bytes("{}")));

        assertEquals(EphemeralNode.PublishFailed.Kind.CONNECTION, failed.kind(), failed.getMessage());
        server.restart();
    }

    private ZkCoordination coordination() {
        ZookeeperConfig config = new ZookeeperConfig(ZookeeperConnect.parse(server.getConnectString()), SESSION,
                List.of(), "/haagent");
        ZkCoordination zk = ZkCoordination.start(config, "host-a", new FakeTicker()::nanoTime);
        opened.add(zk);
        Eventually.within(WAIT, "a session", () -> zk.sessionId() != 0);
        return zk;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
