package io.haagent.agent.supervise;

import io.haagent.aws.AwsEdges;
import io.haagent.aws.AwsFailure;
import io.haagent.aws.Ec2Calls;
import io.haagent.aws.Ec2Hints;
import io.haagent.aws.ImdsIdentity;
import io.haagent.aws.Poll;
import io.haagent.config.Durations;
import io.haagent.config.ServiceSpec;
import io.haagent.time.Backoff;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * Restarts an EC2 instance through the EC2 API: {@code RebootInstances}, or {@code StopInstances},
 * wait for {@code stopped}, {@code StartInstances}, wait for {@code running}.
 *
 * <p>Idempotent in effect ({@link Restarter}): it first asks {@code DescribeInstances} where the
 * instance is and goes on from there. A {@code stopping} or {@code stopped} instance — an earlier
 * stop+start cut short, or someone's manual stop — is only started; a {@code pending} one is
 * already starting and is left alone; {@code running} is rebooted or stopped and started. So a
 * retry after any failure completes the restart instead of doing a second one.
 *
 * <p>The instance is {@code instance_id}, else the one this agent runs on, asked from the instance
 * metadata service (IMDSv2; {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} moves it). Stop+start of the
 * agent's own instance is refused: the stop would take the agent down before it could start the
 * instance again. Region, endpoint and credentials come from the config where it has them, else
 * from the SDK's default chains ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL_EC2} or
 * {@code AWS_ENDPOINT_URL}, the profile, the instance profile). A client is built per restart and
 * closed after it: escalations are rare, and a rebuilt client sees rotated credentials.
 */
final class Ec2Restarter implements Restarter {
    private static final String CONFIG = "escalate.vm";

    private final ServiceSpec.Ec2 spec;
    private final Restarters.Ec2Timeouts timeouts;
    private final AwsEdges aws;

    /** @param aws what tests replace: the SDK client builders, the ticker, the pause between two polls */
    Ec2Restarter(ServiceSpec.Ec2 spec, Restarters.Ec2Timeouts timeouts, AwsEdges aws) {
        this.spec = spec;
        this.timeouts = timeouts;
        this.aws = aws;
    }

    /** Why this spec cannot work wherever the agent runs, if it cannot; for the warning at start-up. */
    static Optional<String> cannotWork(ServiceSpec.Ec2 spec) {
        if (spec.mode() == ServiceSpec.Ec2Mode.STOP_START && spec.instanceId().isEmpty()) {
            return Optional.of("escalate.vm type ec2 with mode stop_start and no instance_id means the instance this"
                    + " agent runs on: the stop would take the agent down before it could start the instance again,"
                    + " leaving it stopped. Use mode: reboot, or escalate from an agent on another host with"
                    + " instance_id set");
        }
        return Optional.empty();
    }

    @Override
    public String describe() {
        String what = spec.mode() == ServiceSpec.Ec2Mode.REBOOT ? "RebootInstances" : "StopInstances+StartInstances";
        return "ec2 " + what + " " + spec.instanceId().map(Object::toString).orElse("this instance (IMDS)")
                + spec.region().map(r -> " in " + r).orElse("");
    }

    @Override
    public String restart() throws RestartFailedException {
        Optional<String> impossible = cannotWork(spec);
        if (impossible.isPresent()) {
            throw new RestartFailedException(impossible.get());
        }
        // One identity per restart: the metadata service is asked again by the next one.
        ImdsIdentity imds = aws.identity();
        String id = spec.instanceId().isPresent() ? spec.instanceId().get().toString() : instanceIdFromImds(imds);
        Ec2Calls ec2;
        try {
            ec2 = Ec2Calls.open(spec.region(), spec.endpoint(), timeouts.call(), aws.ec2(), hints(id));
        } catch (AwsFailure e) {
            throw new RestartFailedException("ec2 " + id + ": " + e.getMessage(), e.getCause());
        }
        try (ec2) {
            return new Run(ec2, imds, id).restart();
        } catch (RuntimeException e) {
            // The contract: nothing but RestartFailedException escapes.
            throw new RestartFailedException("ec2 " + id + ": unexpected failure: " + e, e);
        }
    }

    private static String instanceIdFromImds(ImdsIdentity imds) throws RestartFailedException {
        try {
            return imds.instanceId();
        } catch (AwsFailure e) {
            throw new RestartFailedException("ec2: escalate.vm has no instance_id and this host's instance metadata"
                    + " (IMDSv2) did not give one: " + e.getMessage() + "; on EC2, check that the metadata service is"
                    + " enabled and its hop limit lets this agent reach it (2 from a container); elsewhere set"
                    + " instance_id", e.getCause());
        }
    }

    /** The words for this restart's EC2 errors: {@code escalate.vm}, the instance, the permissions. */
    private static Ec2Hints hints(String id) {
        return new Ec2Hints(CONFIG, PERMISSIONS + " on " + id, (code, operation, region) -> switch (code) {
            case "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed" -> "check escalate.vm.instance_id and"
                    + " the region (" + region + "): the instance must exist there";
            case "IncorrectInstanceState", "IncorrectState" -> "the instance changed state meanwhile; the next"
                    + " attempt goes on from the state it is in";
            case "InsufficientInstanceCapacity" -> "AWS has no capacity for this instance type in its zone now;"
                    + " the next attempt may get it, or change the instance type";
            default -> "check the credentials (they need " + PERMISSIONS + "), the region (" + region
                    + ") and the endpoint";
        });
    }

    /** One restart: the client, the instance, and what was done so far for the result line. */
    private final class Run {
        private final Ec2Calls ec2;
        private final ImdsIdentity imds;
        private final String id;
        private final List<String> done = new ArrayList<>();

        Run(Ec2Calls ec2, ImdsIdentity imds, String id) {
            this.ec2 = ec2;
            this.imds = imds;
            this.id = id;
        }

        String restart() throws RestartFailedException {
            Instance instance = describe();
            InstanceStateName state = instance.state().name();
            done.add("DescribeInstances: " + instance.state().nameAsString());
            switch (state) {
                case RUNNING -> {
                    if (spec.mode() == ServiceSpec.Ec2Mode.REBOOT) {
                        call("RebootInstances", () -> ec2.client().rebootInstances(r -> r.instanceIds(id)));
                        done.add("RebootInstances: ok");
                        return result();
                    }
                    refuseIfSelf();
                    InstanceStateChange change = call("StopInstances",
                            () -> ec2.client().stopInstances(r -> r.instanceIds(id)))
                            .stoppingInstances().stream().findFirst()
                            .orElseThrow(() -> failed("StopInstances", "the answer lists no instance"));
                    done.add("StopInstances: " + change.previousState().name() + " -> " + change.currentState().name());
                    if (change.currentState().name() != InstanceStateName.STOPPED) {
                        awaitStopped();
                    }
                }
                case STOPPING -> awaitStopped(); // an earlier stop (ours, cut short, or someone's): finish it
                case STOPPED -> { } // stopped half-way or by hand: only the start is left
                case PENDING -> {
                    done.add("already starting; nothing to do");
                    return result();
                }
                default -> throw new RestartFailedException(prefix() + "the instance is "
                        + instance.state().nameAsString() + ", which cannot be restarted; replace it and update"
                        + " escalate.vm.instance_id");
            }
            start();
            return result();
        }

        private void start() throws RestartFailedException {
            InstanceStateChange change = call("StartInstances",
                    () -> ec2.client().startInstances(r -> r.instanceIds(id)))
                    .startingInstances().stream().findFirst()
                    .orElseThrow(() -> failed("StartInstances", "the answer lists no instance"));
            done.add("StartInstances: " + change.previousState().name() + " -> " + change.currentState().name());
            awaitRunning();
        }

        /** Polls until {@code stopped}; anything else is a transition still under way, or a stale read. */
        private void awaitStopped() throws RestartFailedException {
            Poll poll = poll(timeouts.stopped());
            while (true) {
                Instance i = describe();
                InstanceStateName s = i.state().name();
                if (s == InstanceStateName.STOPPED) {
                    done.add("stopped" + after(poll));
                    return;
                }
                if (s == InstanceStateName.SHUTTING_DOWN || s == InstanceStateName.TERMINATED) {
                    throw new RestartFailedException(prefix() + "the instance went " + s + " while it was stopping"
                            + reason(i) + "; it cannot be started again; replace it");
                }
                if (poll.expired()) {
                    throw new RestartFailedException(prefix() + "still " + s + " after " + Durations.format(timeouts.stopped())
                            + " waiting for stopped" + reason(i) + "; look at the instance in the EC2 console; a stop"
                            + " that hangs may need aws ec2 stop-instances --force --instance-ids " + id
                            + "; the next attempt starts it once it is stopped");
                }
                pause(poll);
            }
        }

        /**
         * Polls until {@code running}. A start that is still {@code pending} at the deadline was
         * accepted by AWS and is taken as done; going back to {@code stopped} with a reason other
         * than our own stop is a failed launch (a volume, a key, capacity).
         */
        private void awaitRunning() throws RestartFailedException {
            Poll poll = poll(timeouts.running());
            while (true) {
                Instance i = describe();
                InstanceStateName s = i.state().name();
                if (s == InstanceStateName.RUNNING) {
                    done.add("running" + after(poll));
                    return;
                }
                // EC2 reads are eventually consistent: right after StartInstances, DescribeInstances may
                // still say stopped, with the reason of the stop; that is no failed launch.
                boolean staleStop = s == InstanceStateName.STOPPED && (i.stateReason() == null
                        || i.stateReason().code() == null || i.stateReason().code().isEmpty()
                        || i.stateReason().code().contains("UserInitiatedShutdown"));
                if (s != InstanceStateName.PENDING && !staleStop) {
                    throw new RestartFailedException(prefix() + "the instance went " + s + " instead of running"
                            + reason(i) + "; look at the instance in the EC2 console (volumes, KMS key, capacity);"
                            + " the next attempt starts it again");
                }
                if (poll.expired()) {
                    if (s == InstanceStateName.PENDING) {
                        done.add("still pending after " + Durations.format(timeouts.running()) + ", start accepted");
                        return;
                    }
                    throw new RestartFailedException(prefix() + "still " + s + " " + Durations.format(timeouts.running())
                            + " after StartInstances" + reason(i) + "; the next attempt starts it again");
                }
                pause(poll);
            }
        }

        private void refuseIfSelf() throws RestartFailedException {
            // No answer at once: not on EC2, so it cannot be us; or the metadata service is off here, and we
            // cannot tell.
            if (imds.instanceIdAtOnce().filter(id::equals).isPresent()) {
                throw new RestartFailedException(prefix() + "refused StopInstances: " + id + " is the instance this"
                        + " agent runs on, and the stop would take the agent down before it could start the instance"
                        + " again; use mode: reboot, or escalate from an agent on another host");
            }
        }

        private Instance describe() throws RestartFailedException {
            return call("DescribeInstances", () -> ec2.client().describeInstances(r -> r.instanceIds(id)))
                    .reservations().stream()
                    .flatMap(r -> r.instances().stream())
                    .filter(i -> id.equals(i.instanceId()))
                    .findFirst()
                    .orElseThrow(() -> failed("DescribeInstances", "no instance " + id + " in the answer; check"
                            + " escalate.vm.instance_id and the region (" + ec2.region() + ")"));
        }

        private <T> T call(String operation, Supplier<T> call) throws RestartFailedException {
            try {
                return ec2.call(operation, call);
            } catch (AwsFailure e) {
                throw new RestartFailedException(prefix() + e.getMessage(), e.getCause());
            }
        }

        private RestartFailedException failed(String operation, String why) {
            return new RestartFailedException(prefix() + operation + " failed: " + why);
        }

        private String prefix() {
            return "ec2 " + id + ": " + (done.isEmpty() ? "" : String.join("; ", done) + "; then ");
        }

        private String result() {
            return "ec2 " + id + ": " + String.join("; ", done);
        }
    }

    /** A bounded wait on the injected ticker, one {@code DescribeInstances} every {@code timeouts.poll()}. */
    private Poll poll(Duration limit) {
        return aws.poll(limit, new Backoff(timeouts.poll(), timeouts.poll()));
    }

    private static void pause(Poll poll) throws RestartFailedException {
        try {
            poll.pause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestartFailedException("ec2: interrupted while waiting for the instance (the agent is"
                    + " stopping); the next attempt goes on from the state it is in", e);
        }
    }

    /** {@code " after 3 polls (6s)"}, or nothing when the first look saw it. */
    private static String after(Poll poll) {
        int polls = poll.polls();
        if (polls == 0) {
            return "";
        }
        return " after " + polls + (polls == 1 ? " poll" : " polls") + " (" + human(poll.elapsed()) + ")";
    }

    static final String PERMISSIONS = "ec2:DescribeInstances, ec2:RebootInstances, ec2:StopInstances and"
            + " ec2:StartInstances";

    private static String reason(Instance i) {
        if (i.stateReason() == null || i.stateReason().message() == null || i.stateReason().message().isEmpty()) {
            return "";
        }
        return " (" + i.stateReason().message() + ")";
    }

    private static String human(Duration d) {
        return Durations.format(d.truncatedTo(ChronoUnit.SECONDS));
    }
}
