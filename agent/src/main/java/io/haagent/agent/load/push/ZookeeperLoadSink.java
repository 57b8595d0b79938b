package io.haagent.agent.load.push;

import io.haagent.agent.load.PushedSample;
import io.haagent.failover.zookeeper.EphemeralNode;

/**
 * The {@code zookeeper} sink: an EPHEMERAL node {@code <path>/<role>/<node>} on the daemon's one ZooKeeper session,
 * holding the latest sample's JSON. A scaler lists {@code <path>/<role>} for the live hosts; a dead host's node goes
 * with its session, and a node lost with a session comes back at the next sample. Only the latest sample matters
 * here, so resending a backlog after an outage rewrites the node once per sample, ending with the newest.
 */
public final class ZookeeperLoadSink implements LoadSink {
    private final EphemeralNode node;

    /** @param node from {@code ZkCoordination.ephemeralNode(nodePath(path, role, node))} */
    public ZookeeperLoadSink(EphemeralNode node) {
        this.node = node;
    }

    /** The one place the node's path is made: {@code <path>/<role>/<node>}. */
    public static String nodePath(String path, String role, String node) {
        return (path.endsWith("/") ? path : path + "/") + role + "/" + node;
    }

    @Override
    public String name() {
        return "zookeeper " + node.path();
    }

    @Override
    public void send(PushedSample sample) throws SinkFailure {
        try {
            node.publish(sample.json());
        } catch (EphemeralNode.PublishFailed e) {
            FailureReason reason = switch (e.kind()) {
                case CONNECTION -> FailureReason.CONNECT;
                case AUTH -> FailureReason.AUTH;
                case OTHER -> FailureReason.OTHER;
            };
            throw new SinkFailure(reason, e.getMessage(), e);
        }
    }

    /** Deletes the node, so the host leaves its role's list at once. */
    @Override
    public void close() {
        node.close();
    }
}
