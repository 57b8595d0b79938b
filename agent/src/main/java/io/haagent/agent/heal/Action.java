package io.haagent.agent.heal;

import io.haagent.config.ServiceSpec;
import java.util.Optional;

/**
 * What the actuator must do, named as verbs (STYLE §7), in the order given. Each result comes back
 * as an {@link Observation} ({@code RestartFinished}, {@code VmRestartFinished}, {@code ProcessExited}).
 */
public sealed interface Action {

    /** Start the supervised child; {@code eventId} is empty for the first start, which is not a restart. */
    record StartProcess(String service, ServiceSpec.Process process, Optional<String> eventId) implements Action {}

    /**
     * Restart by the service's means: stop then start a child, {@code systemctl restart}, or the restart command;
     * {@code reason} is the sentence's "because" part, which a restart command is told.
     */
    record RestartService(String service, ServiceSpec.RestartMeans means, String eventId, String reason)
            implements Action {}

    /**
     * Stop the supervised child (stop_signal, stop_timeout, then SIGKILL), as the agent's shutdown does: the service
     * was removed or changed, or an operator stopped it.
     */
    record StopProcess(String service, ServiceSpec.Process process) implements Action {}

    /** Restart the VM the service lives on; {@code reason} as for {@link RestartService}. */
    record EscalateVm(String service, ServiceSpec.VmRestart vm, String eventId, String reason) implements Action {}

    /** Tell operators: log, mail, state file, metrics. */
    record Emit(HealEvent event) implements Action {}
}
