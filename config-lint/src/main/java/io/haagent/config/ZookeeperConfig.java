package io.haagent.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code coordination.zookeeper}: the ensemble, and the VRRP instances that need its lease to stay
 * MASTER. {@code path} is absolute and lies under the connect string's chroot, if any.
 */
public record ZookeeperConfig(ZookeeperConnect connect, Duration sessionTimeout, List<String> leaseFor, String path) {
    public ZookeeperConfig {
        leaseFor = List.copyOf(leaseFor);
    }

    /**
     * The lease node of a VRRP instance: {@code <path>/lease/<vrid>-<name>}. Both ends of a pair
     * name it the same way, so they contend for one node; the only place this name is made.
     */
    public String leaseNode(int vrid, String instance) {
        return path + "/lease/" + vrid + "-" + instance;
    }
}
