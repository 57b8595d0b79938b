package io.haagent.config;

import java.util.Map;
import java.util.Optional;

/**
 * A whole haagent config, immutable. Maps keep the order of the file, which is the order humans
 * read in status output. Two configs are equal when they would behave the same, so a reload can
 * keep whatever did not change.
 */
public record HaagentConfig(NodeConfig node, Map<String, CheckSpec> checks, Map<String, ServiceSpec> services,
                            Map<String, VrrpInstance> vrrp, Optional<MailConfig> mail, Optional<ScalerPush> scaler,
                            Optional<ZookeeperConfig> zookeeper) {}
