package io.haagent.config.load;

import io.haagent.config.Defaults;
import io.haagent.config.HostPort;
import io.haagent.config.ZookeeperConfig;
import io.haagent.lint.finding.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Binds {@code coordination.zookeeper:}: the ensemble, the session timeout and what holds a lease. */
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
        List<HostPort> connect = f.req("connect", this::connectString, "the ensemble as \"zk1:2181,zk2:2181,zk3:2181\"");
        Duration session = f.opt("session_timeout", values.positiveDuration(), Defaults.ZK_SESSION_TIMEOUT);
        List<String> leaseFor = f.opt("lease_for", values.list(values::string, false), List.of());
        return f.done(() -> new ZookeeperConfig(connect, session, leaseFor));
    }

    /** ZooKeeper's own connect-string form, so that it can be pasted from the ensemble's config. */
    private List<HostPort> connectString(YamlNode n, String path) {
        String s = values.nonEmpty(n, path);
        if (s == null) {
            return null;
        }
        List<HostPort> out = new ArrayList<>();
        for (String part : s.split(",")) {
            try {
                out.add(HostPort.parse(part.strip()));
            } catch (IllegalArgumentException e) {
                return values.bad(Rule.VALUE_ADDRESS, n, path,
                        e.getMessage() + " (connect is a comma-separated list of host:port)");
            }
        }
        return List.copyOf(out);
    }
}
