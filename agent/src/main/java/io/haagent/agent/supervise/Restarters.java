package io.haagent.agent.supervise;

import io.haagent.aws.AwsEdges;
import io.haagent.config.ServiceSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the {@link Restarter} for a service's restart means or an escalation's VM. Every external
 * program runs through one {@link CommandRunner}, so tests (and unusual hosts) can point
 * {@code systemctl}, {@code virsh} and {@code xl} elsewhere; EC2 goes through the AWS SDK
 * ({@link Ec2Restarter}).
 */
public final class Restarters {

    /**
     * How long each external step may take before it is killed and the restart counts as failed.
     * systemctl: systemd's own DefaultTimeoutStopSec (90s) plus a start; virsh/xl: per step;
     * ec2: the API calls and the waits for a state, see {@link Ec2Timeouts}. The operator's own commands
     * (restart_command, VM {@code command}) carry their timeout in the config.
     */
    public record Timeouts(Duration systemctl, Duration virsh, Duration xl, Ec2Timeouts ec2) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(180), Duration.ofSeconds(60),
                Duration.ofSeconds(60), Ec2Timeouts.DEFAULT);

        /** The command timeouts, with the EC2 ones at their defaults. */
        public Timeouts(Duration systemctl, Duration virsh, Duration xl) {
            this(systemctl, virsh, xl, Ec2Timeouts.DEFAULT);
        }
    }

    /**
     * What a restart is run for: the operator's commands get it as {@code HAAGENT_SERVICE},
     * {@code HAAGENT_REASON} and {@code HAAGENT_EVENT_ID}.
     */
    public record Occasion(String service, String reason, String eventId) {}

    /**
     * EC2: {@code call} bounds each API call, the SDK's retries included; {@code stopped} is the
     * longest wait for {@code stopped} after StopInstances (a stop can take minutes); {@code running}
     * the longest wait for {@code running} after StartInstances — still {@code pending} then counts
     * as started, AWS having accepted the start; {@code poll} is the pause between two
     * DescribeInstances.
     */
    public record Ec2Timeouts(Duration call, Duration stopped, Duration running, Duration poll) {
        public static final Ec2Timeouts DEFAULT = new Ec2Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(10),
                Duration.ofMinutes(3), Duration.ofSeconds(2));
    }

    private final CommandRunner runner;
    private final Supervisor supervisor;
    private final Timeouts timeouts;
    private final AwsEdges aws;

    public Restarters(CommandRunner runner, Supervisor supervisor, Timeouts timeouts) {
        this(runner, supervisor, timeouts, AwsEdges.SYSTEM);
    }

    /** With the AWS SDK's clients, clock and pauses replaced, for tests. */
    Restarters(CommandRunner runner, Supervisor supervisor, Timeouts timeouts, AwsEdges aws) {
        this.runner = runner;
        this.supervisor = supervisor;
        this.timeouts = timeouts;
        this.aws = aws;
    }

    public Restarter forService(Occasion why, ServiceSpec.RestartMeans means) {
        return switch (means) {
            case ServiceSpec.Process p -> new ProcessRestarter(supervisor, why.service(), p);
            case ServiceSpec.Systemd s -> new CommandSteps("systemctl restart " + s.unit(),
                    List.of(new SequencedCommand(List.of("systemctl", "restart", s.unit()), timeouts.systemctl(), false)));
            case ServiceSpec.RestartCommand c -> new CommandSteps(String.join(" ", c.command()),
                    List.of(new SequencedCommand(c.command(), c.timeout(), false)), operatorLaunch(why));
        };
    }

    /**
     * The operator's commands run in the state_dir with a clean environment that says what they run for, not
     * with the agent's own — which holds whatever the agent was started with, credentials included.
     */
    private Optional<CommandRunner.Launch> operatorLaunch(Occasion why) {
        ChildEnvironment env = supervisor.environment();
        return Optional.of(new CommandRunner.Launch(env.forCommand(why.service(), why.reason(), why.eventId()),
                env.stateDir()));
    }

    /**
     * Kills the commands of restarts still running, group and all, and runs no more: the agent is stopping.
     * The restarts so cut short fail.
     */
    public void stopAll() {
        runner.stopAll();
    }

    public Restarter forVm(Occasion why, ServiceSpec.VmRestart vm) {
        return switch (vm) {
            case ServiceSpec.Libvirt l -> {
                List<String> virsh = new ArrayList<>(List.of("virsh"));
                l.uri().ifPresent(u -> virsh.addAll(List.of("-c", u)));
                List<String> destroy = new ArrayList<>(virsh);
                destroy.addAll(List.of("destroy", l.domain()));
                List<String> start = new ArrayList<>(virsh);
                start.addAll(List.of("start", l.domain()));
                yield new CommandSteps(String.join(" ", destroy) + " && " + String.join(" ", start),
                        List.of(new SequencedCommand(destroy, timeouts.virsh(), true),
                                new SequencedCommand(start, timeouts.virsh(), false)));
            }
            case ServiceSpec.Xen x -> new CommandSteps("xl destroy " + x.domain() + " && xl create " + x.config(),
                    List.of(new SequencedCommand(List.of("xl", "destroy", x.domain()), timeouts.xl(), true),
                            new SequencedCommand(List.of("xl", "create", x.config().toString()), timeouts.xl(), false)));
            case ServiceSpec.CommandVm c -> new CommandSteps(String.join(" ", c.command()),
                    List.of(new SequencedCommand(c.command(), c.timeout(), false)), operatorLaunch(why));
            case ServiceSpec.Ec2 e -> new Ec2Restarter(e, timeouts.ec2(), aws);
        };
    }

    /**
     * Why a VM restart configured so cannot work wherever the agent runs, if it cannot — for a
     * warning at start-up, so nobody learns it at the moment of the escalation. Today: EC2
     * stop_start of the agent's own instance (no {@code instance_id}), which the stop would end
     * half-way. Every other restart can only be judged when it runs.
     */
    public static Optional<String> notAvailable(ServiceSpec.VmRestart vm) {
        return vm instanceof ServiceSpec.Ec2 e ? Ec2Restarter.cannotWork(e) : Optional.empty();
    }

    /** One external command of a restart sequence; {@code mayFail}: a failure is noted and the next command runs. */
    private record SequencedCommand(List<String> argv, Duration timeout, boolean mayFail) {}

    /** A restart made of commands run in order: systemctl, restart_command, virsh destroy+start, xl destroy+create. */
    private final class CommandSteps implements Restarter {
        private final String description;
        private final List<SequencedCommand> steps;
        private final Optional<CommandRunner.Launch> launch;

        CommandSteps(String description, List<SequencedCommand> steps) {
            this(description, steps, Optional.empty());
        }

        CommandSteps(String description, List<SequencedCommand> steps, Optional<CommandRunner.Launch> launch) {
            this.description = description;
            this.steps = steps;
            this.launch = launch;
        }

        @Override
        public String restart() throws RestartFailedException {
            List<String> done = new ArrayList<>();
            for (SequencedCommand s : steps) {
                CommandRunner.Result r;
                try {
                    r = runner.run(s.argv(), s.timeout(), launch);
                } catch (IOException e) {
                    // Not found or not startable: the same next time, so even a may-fail step stops here.
                    throw new RestartFailedException(prefix(done) + e.getMessage(), e);
                }
                if (!r.ok() && !s.mayFail()) {
                    throw new RestartFailedException(prefix(done) + r.summary());
                }
                // A destroy of a domain that is not running fails: that is the state we wanted anyway.
                done.add(r.summary() + (!r.ok() ? " (tolerated)" : ""));
            }
            return String.join("; ", done);
        }

        private static String prefix(List<String> done) {
            return done.isEmpty() ? "" : String.join("; ", done) + "; then ";
        }

        @Override
        public String describe() {
            return description;
        }
    }

    private record ProcessRestarter(Supervisor supervisor, String service, ServiceSpec.Process spec)
            implements Restarter {
        @Override
        public String restart() throws RestartFailedException {
            try {
                return "pid " + supervisor.restart(service, spec);
            } catch (IOException e) {
                throw new RestartFailedException(e.getMessage(), e);
            }
        }

        @Override
        public String describe() {
            return "restart the child " + String.join(" ", spec.command());
        }
    }
}
