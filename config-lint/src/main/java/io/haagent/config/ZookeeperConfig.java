package io.haagent.config;

import java.time.Duration;
import java.util.List;

/** {@code coordination.zookeeper}: the ensemble, and the VRRP instances that need its lease to stay MASTER. */
public record ZookeeperConfig(List<HostPort> connect, Duration sessionTimeout, List<String> leaseFor) {}
