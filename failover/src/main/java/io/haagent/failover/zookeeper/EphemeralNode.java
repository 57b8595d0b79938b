package io.haagent.failover.zookeeper;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * One EPHEMERAL node of this host's session holding the latest data it was given: the load push's {@code zookeeper}
 * sink ({@code <path>/<role>/<node>}), so a scaler lists a role's children and sees the live hosts, and a dead host's
 * node vanishes with its session.
 *
 * <p>Each {@link #publish} makes the node true again: it writes the data to the node when our session owns it, and
 * otherwise creates it (the parents as containers), first deleting a node left by another session (this host's
 * previous agent, whose session has not expired yet). A session lost and replaced therefore re-creates the node at the
 * next publish, one push interval later, without a watcher or a recipe. Calls block the caller within the client's
 * connection timeout and retries: the push thread, never a decision loop, calls it.
 */
public final class EphemeralNode implements AutoCloseable {
    private final ZkCoordination coordination;
    private final String path;

    EphemeralNode(ZkCoordination coordination, String path) {
        this.coordination = coordination;
        this.path = path;
    }

    /** The node's path, below the chroot if there is one. */
    public String path() {
        return path;
    }

    /** Writes {@code data} to the node, creating it for this session if it is not there or not ours. */
    public void publish(byte[] data) throws PublishFailed {
        CuratorFramework client = coordination.client();
        try {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            Stat stat = client.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == session) {
                client.setData().withVersion(stat.getVersion()).forPath(path, data);
                return;
            }
            if (stat != null) {
                client.delete().withVersion(stat.getVersion()).forPath(path);
            }
            client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
        } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException
                 | KeeperException.SessionMovedException e) {
            throw new PublishFailed(PublishFailed.Kind.CONNECTION, "no ZooKeeper session (" + coordination.servers() + ")", e);
        } catch (KeeperException.NoAuthException | KeeperException.AuthFailedException e) {
            throw new PublishFailed(PublishFailed.Kind.AUTH, "ZooKeeper refused " + path + ": " + e.code(), e);
        } catch (KeeperException e) {
            // BADVERSION, NODEEXISTS, NONODE: another session raced us; the next publish sees the new state
            throw new PublishFailed(PublishFailed.Kind.OTHER, "ZooKeeper " + e.code() + " on " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailed(PublishFailed.Kind.OTHER, "interrupted", e);
        } catch (Exception e) {
            // Curator's own: its connection wait timing out is the usual one
            throw new PublishFailed(PublishFailed.Kind.CONNECTION, "no ZooKeeper connection (" + coordination.servers()
                    + "): " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the node if our session owns it, so the host leaves the list at once rather than at its session's
     * expiry; a failure is left to the session's end.
     */
    @Override
    public void close() {
        CuratorFramework client = coordination.client();
        if (!client.getZookeeperClient().isConnected()) {
            return; // no waiting out Curator's retries on a stop: the node goes with the session
        }
        try {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            Stat stat = client.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == session) {
                client.delete().withVersion(stat.getVersion()).forPath(path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the node is ephemeral: it goes with the session
        }
    }

    /** Why a publish did not land, in words, with a kind the caller maps to its own failure reasons. */
    public static final class PublishFailed extends Exception {
        /** What went wrong, coarsely. */
        public enum Kind { CONNECTION, AUTH, OTHER }

        private final Kind kind;

        PublishFailed(Kind kind, String sentence, Throwable cause) {
            super(sentence, cause);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }
}
