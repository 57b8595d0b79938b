package io.haagent.failover.zookeeper;

import io.haagent.failover.lease.LeaseInput;
import io.haagent.failover.vrrp.instance.LeaseEdge;
import io.haagent.time.Backoff;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VRRP instance's lease node, an EPHEMERAL node of the daemon's session: carries out the lease decision's
 * {@code AcquireLease}, {@code StopAcquiring}, {@code SendRenewal} and {@code DeleteLease} and reports each outcome
 * to its {@link LeaseListener}. Every method returns at once; answers come on ZooKeeper's event thread.
 *
 * <p>The node's {@code ephemeralOwner} decides whose it is: ours while it is our current session. Its czxid (the id of
 * the transaction that created it) is the lease's epoch, larger for every newer node.
 */
public final class ZkLease implements LeaseEdge {
    private static final Logger LOG = LoggerFactory.getLogger(ZkLease.class);
    /** A delete that lost its connection is tried again after this, doubling; the session's end stops it anyway. */
    private static final Backoff DELETE_RETRY = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), 0.25);

    private final ZkCoordination zk;
    private final String path;
    private final LeaseListener listener;
    /** Watches the node another session holds: its deletion is our next chance to create it. */
    private final Watcher freed = this::nodeChanged;

    // guarded by this
    private boolean acquiring;
    private boolean requestOut;
    private boolean closed;

    ZkLease(ZkCoordination zk, String path, LeaseListener listener) {
        this.zk = zk;
        this.path = path;
        this.listener = listener;
    }

    /** The lease node's path (below the chroot, if any). */
    public String path() {
        return path;
    }

    /**
     * Starts acquiring: creates the node; if another session holds it, reports {@link LeaseInput.HeldByOther} and
     * watches it, creating it again once it is deleted, until it is ours ({@link LeaseInput.Acquired}) or
     * {@link #stopAcquiring}. A failure that tells nothing about the holder (no connection) reports
     * {@link LeaseInput.AcquireFailed} and ends the acquisition: the lease decision asks again. Idempotent while an
     * acquisition is under way.
     */
    @Override
    public void acquire() {
        synchronized (this) {
            if (closed || acquiring) {
                return;
            }
            acquiring = true;
        }
        create();
    }

    /** Drops the watch and the retry; an acquisition whose create is already out is still reported if it succeeds. */
    @Override
    public void stopAcquiring() {
        synchronized (this) {
            acquiring = false;
        }
        unwatch();
    }

    /**
     * Sends a renewal: notes the ticker's time, then a {@code sync} (so the read sees what the quorum has) and a read
     * of the node. Still ours: {@link LeaseInput.RenewalAcked} with that time; missing or another session's:
     * {@link LeaseInput.LeaseGone}. A connection error reports nothing: {@code Suspended} comes from the connection.
     */
    @Override
    public void renew() {
        long sentAt = zk.ticker().nanoTime();
        try {
            zk.client().sync().inBackground((c, e) -> synced(e, sentAt)).forPath(path);
        } catch (Exception e) {
            LOG.debug("{}: renewal not sent", path, e);
        }
    }

    /**
     * Deletes the node if it is still the one of {@code epoch} and of our current session (never a newer node, which
     * may be the peer's), in the background, trying again after a lost connection until it is gone or the session
     * changed (that session's expiry removes the node anyway). Without a session there is no node of ours to delete.
     */
    @Override
    public void delete(long epoch) {
        long session = zk.sessionId();
        if (session != 0) {
            deleteAttempt(epoch, session, 1);
        }
    }

    /** The session timeout the server granted the daemon's session ({@link ZkCoordination#grantedSessionTimeout}). */
    @Override
    public long sessionTimeoutNanos() {
        return zk.grantedSessionTimeout().toNanos();
    }

    /** Stops reporting and drops the watch; the node itself goes with {@link #delete} or the session. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            acquiring = false;
        }
        unwatch();
        zk.forget(this);
    }

    // --- acquiring ---------------------------------------------------------------------------------

    private void create() {
        synchronized (this) {
            if (!acquiring || requestOut) {
                return;
            }
            requestOut = true;
        }
        long sentAt = zk.ticker().nanoTime();
        byte[] data = new HolderData(zk.hostName(), zk.sessionId()).bytes();
        try {
            zk.client().create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .inBackground((c, e) -> created(e, sentAt)).forPath(path, data);
        } catch (Exception e) {
            acquireFailed("the request could not be sent: " + e.getMessage());
        }
    }

    private void created(CuratorEvent event, long sentAt) {
        Code rc = Code.get(event.getResultCode());
        switch (rc) {
            case OK -> acquired(event.getStat(), sentAt);
            case NODEEXISTS -> readHolder(sentAt);
            default -> acquireFailed(ZkWords.of(rc, path, zk.servers()));
        }
    }

    private void readHolder(long sentAt) {
        try {
            zk.client().getData().usingWatcher(freed).inBackground((c, e) -> holderRead(e, sentAt)).forPath(path);
        } catch (Exception e) {
            acquireFailed("the request could not be sent: " + e.getMessage());
        }
    }

    private void holderRead(CuratorEvent event, long sentAt) {
        Code rc = Code.get(event.getResultCode());
        switch (rc) {
            case OK -> {
                Stat stat = event.getStat();
                if (stat.getEphemeralOwner() == zk.sessionId()) {
                    acquired(stat, sentAt); // our own create, whose answer was lost and which Curator sent again
                    return;
                }
                boolean report;
                synchronized (this) {
                    requestOut = false;
                    report = acquiring && !closed;
                }
                if (report) {
                    listener(new LeaseInput.HeldByOther(HolderData.hostOf(event.getData()), stat.getEphemeralOwner(),
                            zk.grantedSessionTimeout().toNanos()));
                }
            }
            case NONODE -> { // deleted between our create and the read: try again at once
                synchronized (this) {
                    requestOut = false;
                }
                create();
            }
            default -> acquireFailed(ZkWords.of(rc, path, zk.servers()));
        }
    }

    private void acquired(Stat stat, long sentAt) {
        boolean closedMeanwhile;
        synchronized (this) {
            requestOut = false;
            acquiring = false;
            closedMeanwhile = closed;
        }
        if (closedMeanwhile) {
            delete(stat.getCzxid());
            return;
        }
        // reported even after stopAcquiring: the decision deletes a lease it no longer wants
        listener(new LeaseInput.Acquired(stat.getCzxid(), stat.getEphemeralOwner(), sentAt));
    }

    private void acquireFailed(String why) {
        boolean report;
        synchronized (this) {
            requestOut = false;
            report = acquiring && !closed;
            acquiring = false;
        }
        if (report) {
            listener(new LeaseInput.AcquireFailed(why));
        }
    }

    private void nodeChanged(WatchedEvent event) {
        if (event.getType() != Watcher.Event.EventType.None) { // connection events come from the connection state
            create();
        }
    }

    /**
     * The client is connected again: an acquisition waiting for the holder's node to go looks again, because a watch
     * does not outlive the session that set it.
     */
    void connected() {
        prepareParent();
        create();
    }

    /**
     * Makes sure of the lease node's parent at every connection, so that the first create happens at start and not
     * on the failover's path: a ZooKeeper that refuses creating there (an ACL) is said now, and the create's code is
     * loaded and run once (a BACKUP's first create took 18-43 ms, 5 ms once warm, all of it on the write gap of a Redis
     * crash in issue 14's benchmark).
     */
    void prepareParent() {
        String parent = ZKPaths.getPathAndNode(path).getPath();
        try {
            zk.client().create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                    .inBackground((c, e) -> parentPrepared(Code.get(e.getResultCode()), parent)).forPath(parent);
        } catch (Exception e) {
            LOG.debug("{}: parent not prepared", path, e);
        }
    }

    private void parentPrepared(Code rc, String parent) {
        switch (rc) {
            case OK, NODEEXISTS -> LOG.debug("{}: parent {} is there", path, parent);
            case CONNECTIONLOSS, SESSIONEXPIRED, SESSIONMOVED -> { } // the next connection prepares it again
            default -> LOG.warn("{}: cannot create the lease's parent {}: {}; this instance cannot hold its lease until "
                    + "it can", path, parent, ZkWords.of(rc, parent, zk.servers()));
        }
    }

    private void unwatch() {
        try {
            zk.client().watchers().remove(freed).ofType(Watcher.WatcherType.Any).locally().quietly()
                    .inBackground().forPath(path);
        } catch (Exception e) {
            LOG.debug("{}: watch not removed", path, e);
        }
    }

    // --- renewing ----------------------------------------------------------------------------------

    private void synced(CuratorEvent event, long sentAt) throws Exception {
        if (Code.get(event.getResultCode()) == Code.OK) {
            zk.client().getData().inBackground((c, e) -> renewalRead(e, sentAt)).forPath(path);
        }
    }

    private void renewalRead(CuratorEvent event, long sentAt) {
        Code rc = Code.get(event.getResultCode());
        switch (rc) {
            case OK -> {
                long owner = event.getStat().getEphemeralOwner();
                if (owner == zk.sessionId()) {
                    listener(new LeaseInput.RenewalAcked(sentAt));
                } else {
                    listener(new LeaseInput.LeaseGone("the lease node " + path + " is held by "
                            + HolderData.hostOf(event.getData()) + " (session 0x" + Long.toHexString(owner) + ") now"));
                }
            }
            case NONODE -> listener(new LeaseInput.LeaseGone("the lease node " + path
                    + " is gone (deleted, or its session expired)"));
            default -> {
                if (!ZkWords.connectionTrouble(rc)) {
                    LOG.warn("{}: a renewal's read failed: {}", path, ZkWords.of(rc, path, zk.servers()));
                }
            }
        }
    }

    // --- deleting ----------------------------------------------------------------------------------

    private void deleteAttempt(long epoch, long session, int attempt) {
        if (zk.sessionId() != session) {
            return; // that session ended or is ending: the server removes its ephemeral node with it
        }
        try {
            zk.client().checkExists().inBackground((c, e) -> deleteChecked(e, epoch, session, attempt)).forPath(path);
        } catch (Exception e) {
            deleteLater(epoch, session, attempt);
        }
    }

    private void deleteChecked(CuratorEvent event, long epoch, long session, int attempt) throws Exception {
        Code rc = Code.get(event.getResultCode());
        if (rc == Code.NONODE) {
            return;
        }
        if (rc != Code.OK) {
            deleteFailed(rc, epoch, session, attempt);
            return;
        }
        Stat stat = event.getStat();
        if (stat.getCzxid() != epoch || stat.getEphemeralOwner() != session) {
            return; // a newer node, maybe the peer's: never ours to delete
        }
        // ZooKeeper deletes by version, not czxid: a third party's delete and a peer's create inside this one round
        // trip could slip a new version-0 node under it; our own session's node is removed by no one else
        zk.client().delete().withVersion(stat.getVersion())
                .inBackground((c, e) -> deleted(e, epoch, session, attempt)).forPath(path);
    }

    private void deleted(CuratorEvent event, long epoch, long session, int attempt) {
        Code rc = Code.get(event.getResultCode());
        switch (rc) {
            case OK, NONODE -> { }
            case BADVERSION -> deleteAttempt(epoch, session, attempt); // changed under us: look again
            default -> deleteFailed(rc, epoch, session, attempt);
        }
    }

    private void deleteFailed(Code rc, long epoch, long session, int attempt) {
        if (ZkWords.connectionTrouble(rc)) {
            deleteLater(epoch, session, attempt + 1);
        } else {
            LOG.warn("{}: could not delete the lease (epoch 0x{}): {}", path, Long.toHexString(epoch),
                    ZkWords.of(rc, path, zk.servers()));
        }
    }

    private void deleteLater(long epoch, long session, int attempt) {
        long wait = DELETE_RETRY.nanos(attempt, ThreadLocalRandom.current().nextDouble());
        try {
            zk.deleteRetries().schedule(() -> deleteAttempt(epoch, session, attempt), wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // the coordination is closing: its session ends, and the node with it
        }
    }

    // --- reporting ---------------------------------------------------------------------------------

    /** A connection state from the coordination. */
    void report(LeaseInput input) {
        listener(input);
    }

    private void listener(LeaseInput input) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        try {
            listener.reported(input);
        } catch (RuntimeException e) {
            LOG.warn("{}: the lease listener failed on {}", path, input, e);
        }
    }
}
