package io.haagent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Something the agent heals: the checks that judge it, how to restart it, when to give up or escalate. */
public record ServiceSpec(List<String> checks, Optional<RestartMeans> means, RestartPolicy restart,
                          Optional<Escalation> escalate, List<String> dependsOn) {

    /** How a service is restarted. */
    public sealed interface RestartMeans {}

    /** A child process the agent starts and owns, as supervisord does. */
    public record Process(List<String> command, Optional<Path> workdir, Map<String, String> env, StopSignal stopSignal,
                          Duration stopTimeout, Duration startGrace) implements RestartMeans {}

    public record Systemd(String unit) implements RestartMeans {}

    /** The operator's command, killed with all it started after {@code timeout}. */
    public record RestartCommand(List<String> command, Duration timeout) implements RestartMeans {}

    public enum StopSignal { TERM, INT, QUIT, HUP, KILL, USR1, USR2 }

    public record Backoff(Duration initial, Duration max) {}

    /** More than {@code maxRestarts} within {@code within} makes the service FATAL; {@code rearmAfter} quiet time clears it. */
    public record RestartPolicy(Backoff backoff, int maxRestarts, Duration within, Optional<Duration> rearmAfter) {}

    /** Restart the whole VM after {@code after} restarts that did not help. */
    public record Escalation(int after, VmRestart vm) {}

    public sealed interface VmRestart {}

    /** {@code virsh destroy DOMAIN} then {@code virsh start DOMAIN}. */
    public record Libvirt(String domain, Optional<String> uri) implements VmRestart {}

    /** {@code xl destroy DOMAIN} then {@code xl create CONFIG}. */
    public record Xen(String domain, Path config) implements VmRestart {}

    /** RebootInstances, or StopInstances then StartInstances; no instance id means this instance. */
    public record Ec2(Optional<AwsId> instanceId, Ec2Mode mode, Optional<String> region, Optional<java.net.URI> endpoint)
            implements VmRestart {}

    public enum Ec2Mode { REBOOT, STOP_START }

    /** The operator's command, killed with all it started after {@code timeout}. */
    public record CommandVm(List<String> command, Duration timeout) implements VmRestart {}
}
