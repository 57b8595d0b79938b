package io.haagent.failover.zookeeper;

import io.haagent.config.HostPort;
import io.haagent.config.ZookeeperConfig;
import io.haagent.failover.lease.LeaseInput;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The daemon's one ZooKeeper client and session, for every lease ({@link #lease}). {@link #start} returns at once and
 * the client connects in the background, so the daemon starts while ZooKeeper is down; until it connects, acquisitions
 * fail ({@link LeaseInput.AcquireFailed}) and no instance in {@code lease_for} becomes MASTER.
 *
 * <p>Built with Curator's {@link SessionConnectionStateErrorPolicy}: a SUSPENDED connection alone drops nothing, only
 * the session's loss does (issue 14: a blip is latency, not an outage). The connection's states reach every lease's
 * listener on Curator's connection-state thread. Closing it closes the session, which deletes its ephemeral lease nodes.
 */
public final class ZkCoordination implements AutoCloseable {
    /**
     * How long an operation waits for a connection before it fails, as a share of the session timeout: well within one
     * session, so an acquisition that cannot reach ZooKeeper says so while there is time to act on it.
     */
    private static final int CONNECTION_TIMEOUT_DIVISOR = 3;
    /** Curator's own retries of an operation that lost its connection: few and short, the lease decision retries too. */
    private static final int RETRY_FIRST_MS = 100;
    private static final int RETRY_MAX_MS = 1_000;
    private static final int RETRIES = 2;

    private final CuratorFramework client;
    private final String hostName;
    private final Ticker ticker;
    private final ZookeeperConfig config;
    private final String servers;
    private final ScheduledExecutorService deleteRetries;
    private final Set<ZkLease> leases = ConcurrentHashMap.newKeySet();

    private ZkCoordination(CuratorFramework client, String hostName, Ticker ticker, ZookeeperConfig config,
                           String servers) {
        this.client = client;
        this.hostName = hostName;
        this.ticker = ticker;
        this.config = config;
        this.servers = servers;
        this.deleteRetries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "haagent-zk-delete");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Builds the client for {@code config} and starts connecting, without waiting for a connection.
     *
     * @param hostName this host's name, written into the lease nodes it holds so the peer can say who holds them
     * @param ticker   the clock of the lease decision: the send times it reports are read from it
     */
    public static ZkCoordination start(ZookeeperConfig config, String hostName, Ticker ticker) {
        String servers = config.connect().servers().stream().map(HostPort::toString).collect(Collectors.joining(","));
        int sessionMs = Math.toIntExact(config.sessionTimeout().toMillis());
        ZKClientConfig zk = new ZKClientConfig();
        // haagent configures no SASL: without this the client looks for a JAAS section at every connect
        zk.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(servers)
                .sessionTimeoutMs(sessionMs)
                .connectionTimeoutMs(Math.max(1, sessionMs / CONNECTION_TIMEOUT_DIVISOR))
                .retryPolicy(new BoundedExponentialBackoffRetry(RETRY_FIRST_MS, RETRY_MAX_MS, RETRIES))
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy())
                .zkClientConfig(zk)
                // the servers are the configured ones (fleet lint checks both ends name the same): never rewritten
                // from the ensemble's dynamic config, which would also drop the chroot
                .ensembleTracker(false);
        // the chroot as Curator's namespace: the same prefix on every path, and Curator creates it when missing
        // (ZooKeeper's own chroot fails every request with NONODE until someone does)
        namespace(config.connect().chroot()).ifPresent(builder::namespace);
        ZkCoordination coordination = new ZkCoordination(builder.build(), hostName, ticker, config, servers);
        coordination.client.getConnectionStateListenable().addListener((c, state) -> coordination.changed(state));
        coordination.client.start();
        return coordination;
    }

    static Optional<String> namespace(Optional<String> chroot) {
        return chroot.map(root -> root.substring(1)).filter(ns -> !ns.isEmpty());
    }

    /**
     * The session timeout the server granted (it clamps the one asked for to its 2..20 x tickTime bounds); the one
     * asked for until the first connection. The lease decision must count with this one.
     */
    public Duration grantedSessionTimeout() {
        int ms = client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
        return ms > 0 ? Duration.ofMillis(ms) : config.sessionTimeout();
    }

    /** The client's current session, 0 before the first connection and between an expiry and the next session. */
    public long sessionId() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * The lease of one VRRP instance, at {@link ZookeeperConfig#leaseNode}: the same node on both ends of the pair. Its
     * reports, and the connection's states, go to {@code listener} (see {@link LeaseListener} for the threads).
     */
    public ZkLease lease(int vrid, String instance, LeaseListener listener) {
        ZkLease lease = new ZkLease(this, config.leaseNode(vrid, instance), listener);
        leases.add(lease);
        lease.prepareParent(); // connected already, or waits for the connection (a CONNECTED later prepares it again)
        return lease;
    }

    /**
     * An EPHEMERAL node of this session at {@code path} (below the chroot, if any), written by
     * {@link EphemeralNode#publish}: the load push's {@code zookeeper} sink.
     */
    public EphemeralNode ephemeralNode(String path) {
        return new EphemeralNode(this, path);
    }

    /** Closes the session (which deletes the ephemeral lease nodes it holds) and stops every lease. */
    @Override
    public void close() {
        List.copyOf(leases).forEach(ZkLease::close);
        deleteRetries.shutdownNow();
        client.close();
    }

    /** Curator's connection states as the lease decision's inputs; CONNECTED (the first one) moves nothing. */
    static Optional<LeaseInput> input(ConnectionState state, long sessionId) {
        return switch (state) {
            // a read-only server is cut off from its quorum: nothing it answers proves the lease
            case SUSPENDED, READ_ONLY -> Optional.of(new LeaseInput.Suspended());
            case RECONNECTED -> Optional.of(new LeaseInput.Reconnected(sessionId));
            case LOST -> Optional.of(new LeaseInput.Lost());
            case CONNECTED -> Optional.empty();
        };
    }

    private void changed(ConnectionState state) {
        Optional<LeaseInput> input = input(state, sessionId());
        for (ZkLease lease : leases) {
            input.ifPresent(lease::report);
            if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
                lease.connected();
            }
        }
    }

    void forget(ZkLease lease) {
        leases.remove(lease);
    }

    CuratorFramework client() {
        return client;
    }

    Ticker ticker() {
        return ticker;
    }

    String hostName() {
        return hostName;
    }

    String servers() {
        return servers;
    }

    ScheduledExecutorService deleteRetries() {
        return deleteRetries;
    }
}
