package io.haagent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** This host: its name (default: the host name), the admin endpoint, where state lives, the restart budget. */
public record NodeConfig(Optional<String> name, Admin admin, Path stateDir, RestartBudget restartBudget) {

    /** Without a token file the admin API refuses every POST. */
    public record Admin(HostPort listen, Optional<java.nio.file.Path> tokenFile) {}

    /** The host circuit breaker: at most {@code maxRestarts} restarts across the host within {@code within}. */
    public record RestartBudget(int maxRestarts, Duration within) {}
}
