package io.haagent.config.load;

import io.haagent.config.Defaults;
import io.haagent.config.ZookeeperConfig;
import io.haagent.config.ZookeeperConnect;
import io.haagent.lint.finding.Rule;
import java.time.Duration;
import java.util.List;

/** Binds {@code coordination.zookeeper:}: the ensemble, the session timeout, the path and what holds a lease. */
final class CoordinationBinder {
    private final Values values;

    CoordinationBinder(Values values) {
        this.values = values;
    }

    ZookeeperConfig zookeeper(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        ZookeeperConnect connect = f.req("connect", this::connectString,
                "the ensemble as \"zk1:2181,zk2:2181,zk3:2181\", optionally with a chroot: \"zk1:2181,zk2:2181/haagent\"");
        Duration session = f.opt("session_timeout", values.positiveDuration(), Defaults.ZK_SESSION_TIMEOUT);
        List<String> leaseFor = f.opt("lease_for", values.list(values::string, false), List.of());
        String zpath = f.opt("path", values.znodePath("/haagent"), Defaults.ZK_PATH);
        return f.done(() -> new ZookeeperConfig(connect, session, leaseFor, zpath));
    }

    /** ZooKeeper's own connect-string form, so that it can be pasted from the ensemble's config. */
    private ZookeeperConnect connectString(YamlNode n, String path) {
        String s = values.nonEmpty(n, path);
        if (s == null) {
            return null;
        }
        try {
            return ZookeeperConnect.parse(s);
        } catch (IllegalArgumentException e) {
            return values.bad(Rule.VALUE_ADDRESS, n, path, e.getMessage());
        }
    }
}
