package io.haagent.packaging;

import io.haagent.config.ZookeeperConfig;
import io.haagent.config.ZookeeperConnect;
import io.haagent.failover.lease.LeaseInput;
import io.haagent.failover.zookeeper.ZkCoordination;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Run on the package's own runtime by {@link PackagedZookeeperClientTest}: acquires a lease through the lib/ jars and
 * prints what the lease reported on a line of its own ({@code LEASE <input>}); exits 0 when it was {@code Acquired}.
 */
public final class LeaseProbe {
    private LeaseProbe() {}

    public static void main(String[] args) throws Exception {
        ZookeeperConfig config = new ZookeeperConfig(ZookeeperConnect.parse(args[0]), Duration.ofSeconds(4),
                List.of("redis-vip"), "/haagent");
        BlockingQueue<LeaseInput> reports = new LinkedBlockingQueue<>();
        LeaseInput first;
        try (ZkCoordination zk = ZkCoordination.start(config, "packaged-host", Ticker.SYSTEM)) {
            zk.lease(51, "redis-vip", reports::add).acquire();
            first = reports.poll(30, TimeUnit.SECONDS);
            System.out.println("LEASE " + first);
            System.out.println("GRANTED " + zk.grantedSessionTimeout().toMillis());
        }
        System.exit(first instanceof LeaseInput.Acquired ? 0 : 1);
    }
}
