package io.haagent.agent.supervise;

import io.haagent.config.ServiceSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the {@link Restarter} for a service's restart means or an escalation's VM. Every external
 * program runs through one {@link CommandRunner}, so tests (and unusual hosts) can point
 * {@code systemctl}, {@code virsh} and {@code xl} elsewhere.
 */
public final class Restarters {

    /**
     * How long each external step may take before it is killed and the restart counts as failed.
     * systemctl: systemd's own DefaultTimeoutStopSec (90s) plus a start; virsh/xl: per step.
     */
    public record Timeouts(Duration systemctl, Duration restartCommand, Duration virsh, Duration xl,
                           Duration vmCommand) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(180), Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(300));
    }

    private final CommandRunner runner;
    private final Supervisor supervisor;
    private final Timeouts timeouts;

    public Restarters(CommandRunner runner, Supervisor supervisor, Timeouts timeouts) {
        this.runner = runner;
        this.supervisor = supervisor;
        this.timeouts = timeouts;
    }

    public Restarter forService(String service, ServiceSpec.RestartMeans means) {
        return switch (means) {
            case ServiceSpec.Process p -> new ProcessRestarter(supervisor, service, p);
            case ServiceSpec.Systemd s -> new CommandSteps("systemctl restart " + s.unit(),
                    List.of(new Step(List.of("systemctl", "restart", s.unit()), timeouts.systemctl(), false)));
            case ServiceSpec.RestartCommand c -> new CommandSteps(String.join(" ", c.command()),
                    List.of(new Step(c.command(), timeouts.restartCommand(), false)));
        };
    }

    public Restarter forVm(ServiceSpec.VmRestart vm) {
        return switch (vm) {
            case ServiceSpec.Libvirt l -> {
                List<String> virsh = new ArrayList<>(List.of("virsh"));
                l.uri().ifPresent(u -> virsh.addAll(List.of("-c", u)));
                List<String> destroy = new ArrayList<>(virsh);
                destroy.addAll(List.of("destroy", l.domain()));
                List<String> start = new ArrayList<>(virsh);
                start.addAll(List.of("start", l.domain()));
                yield new CommandSteps(String.join(" ", destroy) + " && " + String.join(" ", start),
                        List.of(new Step(destroy, timeouts.virsh(), true), new Step(start, timeouts.virsh(), false)));
            }
            case ServiceSpec.Xen x -> new CommandSteps("xl destroy " + x.domain() + " && xl create " + x.config(),
                    List.of(new Step(List.of("xl", "destroy", x.domain()), timeouts.xl(), true),
                            new Step(List.of("xl", "create", x.config().toString()), timeouts.xl(), false)));
            case ServiceSpec.CommandVm c -> new CommandSteps(String.join(" ", c.command()),
                    List.of(new Step(c.command(), timeouts.vmCommand(), false)));
            case ServiceSpec.Ec2 e -> new Unavailable(e, notAvailable(e).orElseThrow());
        };
    }

    /**
     * Why a VM restart cannot be done by this build, if it cannot — for a warning at start-up, so
     * nobody learns it at the moment of the escalation. Today: EC2, which needs the AWS SDK.
     */
    public static Optional<String> notAvailable(ServiceSpec.VmRestart vm) {
        if (vm instanceof ServiceSpec.Ec2 e) {
            return Optional.of("escalate.vm type ec2 is not available in this build of haagent: EC2 reboot and"
                    + " stop/start come with the AWS SDK in a later release. Until then use type: command, e.g."
                    + " command: [\"/usr/bin/aws\", \"ec2\", \"reboot-instances\", \"--instance-ids\", \""
                    + e.instanceId().map(Object::toString).orElse("i-0123456789abcdef0") + "\"]");
        }
        return Optional.empty();
    }

    /** One external command of a restart; {@code mayFail}: a failure is noted and the next step runs. */
    private record Step(List<String> argv, Duration timeout, boolean mayFail) {}

    /** A restart made of commands run in order: systemctl, restart_command, virsh destroy+start, xl destroy+create. */
    private final class CommandSteps implements Restarter {
        private final String description;
        private final List<Step> steps;

        CommandSteps(String description, List<Step> steps) {
            this.description = description;
            this.steps = steps;
        }

        @Override
        public String restart() throws RestartFailedException {
            List<String> done = new ArrayList<>();
            for (Step s : steps) {
                CommandRunner.Result r;
                try {
                    r = runner.run(s.argv(), s.timeout());
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

    /** A VM restarter this build does not have: fails every time, saying what to use instead. */
    private record Unavailable(ServiceSpec.VmRestart vm, String why) implements Restarter {
        @Override
        public String restart() throws RestartFailedException {
            throw new RestartFailedException(why);
        }

        @Override
        public String describe() {
            return "unavailable: " + why;
        }
    }
}
