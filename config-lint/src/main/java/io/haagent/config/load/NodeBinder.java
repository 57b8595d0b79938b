package io.haagent.config.load;

import io.haagent.config.Defaults;
import io.haagent.config.HostPort;
import io.haagent.config.NodeConfig;
import io.haagent.lint.finding.Rule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Binds {@code node:}: this host's name, the admin listener, the state directory and the restart budget. */
final class NodeBinder {
    private final Values values;

    NodeBinder(Values values) {
        this.values = values;
    }

    NodeConfig node(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        Optional<String> name = f.opt("name", values::name);
        NodeConfig.Admin admin = f.opt("admin", values.object(this::admin),
                new NodeConfig.Admin(Defaults.ADMIN_LISTEN, Optional.empty()));
        Path stateDir = f.opt("state_dir", values.absolutePath(), Defaults.STATE_DIR);
        NodeConfig.RestartBudget budget = f.opt("restart_budget", values.object(this::restartBudget),
                new NodeConfig.RestartBudget(Defaults.BUDGET_MAX_RESTARTS, Defaults.BUDGET_WITHIN));
        f.finish();
        return new NodeConfig(name, admin, stateDir, budget);
    }

    private NodeConfig.Admin admin(Fields a) {
        HostPort listen = a.opt("listen", values::hostPort, Defaults.ADMIN_LISTEN);
        if (a.has("token")) {
            // Not an inline secret like the others: `haagent reload` reads the token from the daemon's file.
            values.binding.findings.add(Rule.SCHEMA_UNKNOWN_KEY, a.keyAt("token"), a.path("token") + ": the admin token is "
                    + "read from a file only, as haagent reload reads the same file; put it in a file with mode 0600 and "
                    + "name that in token_file");
        }
        Optional<Path> token = a.opt("token_file", values.secretFile());
        a.finish();
        return new NodeConfig.Admin(listen, token);
    }

    private NodeConfig.RestartBudget restartBudget(Fields b) {
        int max = b.opt("max_restarts", values.integer(1, 100_000), Defaults.BUDGET_MAX_RESTARTS);
        Duration within = b.opt("within", values.positiveDuration(), Defaults.BUDGET_WITHIN);
        b.finish();
        return new NodeConfig.RestartBudget(max, within);
    }
}
