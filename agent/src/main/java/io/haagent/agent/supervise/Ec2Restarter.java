package io.haagent.agent.supervise;

import io.haagent.config.Durations;
import io.haagent.config.ServiceSpec;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataRetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
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

    /**
     * What tests replace: the SDK client builders (credentials, interceptors, the IMDS endpoint),
     * the ticker that bounds the waits, and the pause between two {@code DescribeInstances}.
     */
    record Aws(Consumer<Ec2ClientBuilder> ec2, Consumer<Ec2MetadataClient.Builder> imds, Ticker ticker, Pause pause) {
        static final Aws DEFAULT = new Aws(b -> { }, b -> { }, Ticker.SYSTEM, d -> Thread.sleep(d));
    }

    /** Waits between two polls; a real sleep in production. */
    @FunctionalInterface
    interface Pause {
        void pause(Duration d) throws InterruptedException;
    }

    private static final Duration IMDS_CONNECT = Duration.ofSeconds(1);
    private static final Duration IMDS_READ = Duration.ofSeconds(2);
    private static final Duration HTTP_CONNECT = Duration.ofSeconds(5);

    private final ServiceSpec.Ec2 spec;
    private final Restarters.Ec2Timeouts timeouts;
    private final Aws aws;

    Ec2Restarter(ServiceSpec.Ec2 spec, Restarters.Ec2Timeouts timeouts, Aws aws) {
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
        String id = spec.instanceId().isPresent() ? spec.instanceId().get().toString() : instanceIdFromImds();
        Ec2Client ec2;
        try {
            ec2 = client();
        } catch (SdkException e) {
            throw new RestartFailedException("ec2 " + id + ": cannot make an EC2 client: " + e.getMessage() + "; "
                    + clientHint(e), e);
        }
        try (ec2) {
            return new Run(ec2, id).restart();
        } catch (RuntimeException e) {
            // The contract: nothing but RestartFailedException escapes.
            throw new RestartFailedException("ec2 " + id + ": unexpected failure: " + e, e);
        }
    }

    private Ec2Client client() {
        Ec2ClientBuilder b = Ec2Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(HTTP_CONNECT)
                        .socketTimeout(timeouts.call()))
                .overrideConfiguration(c -> c.apiCallTimeout(timeouts.call()));
        spec.region().ifPresent(r -> b.region(Region.of(r)));
        spec.endpoint().ifPresent(b::endpointOverride);
        aws.ec2().accept(b);
        return b.build();
    }

    private Ec2MetadataClient imds(boolean quick) {
        Ec2MetadataClient.Builder b = Ec2MetadataClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(IMDS_CONNECT).socketTimeout(IMDS_READ));
        if (quick) {
            b.retryPolicy(Ec2MetadataRetryPolicy.none());
        }
        aws.imds().accept(b);
        return b.build();
    }

    private String instanceIdFromImds() throws RestartFailedException {
        try (Ec2MetadataClient imds = imds(false)) {
            return imds.get("/latest/meta-data/instance-id").asString().strip();
        } catch (RuntimeException e) { // SdkClientException mostly; nothing but RestartFailedException may escape
            throw new RestartFailedException("ec2: escalate.vm has no instance_id and this host's instance metadata"
                    + " (IMDSv2) did not give one: " + e.getMessage() + "; on EC2, check that the metadata service is"
                    + " enabled and its hop limit lets this agent reach it (2 from a container); elsewhere set"
                    + " instance_id", e);
        }
    }

    /** The id of the instance this agent runs on, if the metadata service answers at once. */
    private Optional<String> ownInstanceId() {
        try (Ec2MetadataClient imds = imds(true)) {
            return Optional.of(imds.get("/latest/meta-data/instance-id").asString().strip());
        } catch (RuntimeException e) {
            // Not on EC2, so it cannot be us; or the metadata service is off here, and we cannot tell.
            return Optional.empty();
        }
    }

    /** One restart: the client, the instance, and what was done so far for the result line. */
    private final class Run {
        private final Ec2Client ec2;
        private final String id;
        private final List<String> done = new ArrayList<>();

        Run(Ec2Client ec2, String id) {
            this.ec2 = ec2;
            this.id = id;
        }

        String restart() throws RestartFailedException {
            Instance instance = describe();
            InstanceStateName state = instance.state().name();
            done.add("DescribeInstances: " + instance.state().nameAsString());
            switch (state) {
                case RUNNING -> {
                    if (spec.mode() == ServiceSpec.Ec2Mode.REBOOT) {
                        call("RebootInstances", () -> ec2.rebootInstances(r -> r.instanceIds(id)));
                        done.add("RebootInstances: ok");
                        return result();
                    }
                    refuseIfSelf();
                    InstanceStateChange change = call("StopInstances", () -> ec2.stopInstances(r -> r.instanceIds(id)))
                            .stoppingInstances().stream().findFirst().orElseThrow(() -> failed("StopInstances",
                                    "the answer lists no instance"));
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
            InstanceStateChange change = call("StartInstances", () -> ec2.startInstances(r -> r.instanceIds(id)))
                    .startingInstances().stream().findFirst().orElseThrow(() -> failed("StartInstances",
                            "the answer lists no instance"));
            done.add("StartInstances: " + change.previousState().name() + " -> " + change.currentState().name());
            awaitRunning();
        }

        /** Polls until {@code stopped}; anything else is a transition still under way, or a stale read. */
        private void awaitStopped() throws RestartFailedException {
            Poll poll = new Poll(timeouts.stopped());
            while (true) {
                Instance i = describe();
                InstanceStateName s = i.state().name();
                if (s == InstanceStateName.STOPPED) {
                    done.add("stopped" + poll.after());
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
                poll.pause();
            }
        }

        /**
         * Polls until {@code running}. A start that is still {@code pending} at the deadline was
         * accepted by AWS and is taken as done; going back to {@code stopped} with a reason other
         * than our own stop is a failed launch (a volume, a key, capacity).
         */
        private void awaitRunning() throws RestartFailedException {
            Poll poll = new Poll(timeouts.running());
            while (true) {
                Instance i = describe();
                InstanceStateName s = i.state().name();
                if (s == InstanceStateName.RUNNING) {
                    done.add("running" + poll.after());
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
                poll.pause();
            }
        }

        private void refuseIfSelf() throws RestartFailedException {
            if (ownInstanceId().filter(id::equals).isPresent()) {
                throw new RestartFailedException(prefix() + "refused StopInstances: " + id + " is the instance this"
                        + " agent runs on, and the stop would take the agent down before it could start the instance"
                        + " again; use mode: reboot, or escalate from an agent on another host");
            }
        }

        private Instance describe() throws RestartFailedException {
            return call("DescribeInstances", () -> ec2.describeInstances(r -> r.instanceIds(id))).reservations().stream()
                    .flatMap(r -> r.instances().stream())
                    .filter(i -> id.equals(i.instanceId()))
                    .findFirst()
                    .orElseThrow(() -> failed("DescribeInstances", "no instance " + id + " in the answer; check"
                            + " escalate.vm.instance_id and the region (" + region() + ")"));
        }

        private <T> T call(String operation, Supplier<T> call) throws RestartFailedException {
            try {
                return call.get();
            } catch (AwsServiceException e) {
                AwsErrorDetails d = e.awsErrorDetails();
                String code = d == null || d.errorCode() == null ? "HTTP " + e.statusCode() : d.errorCode();
                String message = d == null || d.errorMessage() == null ? e.getMessage() : d.errorMessage();
                throw new RestartFailedException(prefix() + operation + " failed: " + code + ": " + message
                        + Optional.ofNullable(e.requestId()).map(r -> " (request " + r + ")").orElse("") + "; "
                        + serviceHint(code, operation), e);
            } catch (SdkException e) {
                throw new RestartFailedException(prefix() + operation + " failed: " + e.getMessage() + "; "
                        + clientHint(e), e);
            }
        }

        private RestartFailedException failed(String operation, String why) {
            return new RestartFailedException(prefix() + operation + " failed: " + why);
        }

        private String serviceHint(String code, String operation) {
            return switch (code) {
                case "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed" -> "check escalate.vm.instance_id and"
                        + " the region (" + region() + "): the instance must exist there";
                case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException" -> "the agent's credentials may"
                        + " not call ec2:" + operation + "; allow " + PERMISSIONS + " on " + id + " in their IAM policy";
                case "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "RequestExpired" ->
                        "AWS refused the credentials: check which ones the default chain found (instance profile,"
                                + " AWS_PROFILE, AWS_ACCESS_KEY_ID) and that the host's clock is right";
                case "IncorrectInstanceState", "IncorrectState" -> "the instance changed state meanwhile; the next"
                        + " attempt goes on from the state it is in";
                case "InsufficientInstanceCapacity" -> "AWS has no capacity for this instance type in its zone now;"
                        + " the next attempt may get it, or change the instance type";
                case "RequestLimitExceeded", "Throttling" -> "the account's EC2 request rate limit was hit; the next"
                        + " attempt tries again";
                default -> "check the credentials (they need " + PERMISSIONS + "), the region (" + region()
                        + ") and the endpoint";
            };
        }

        private String region() {
            Region r = ec2.serviceClientConfiguration().region();
            return r == null ? "none" : r.id();
        }

        private String prefix() {
            return "ec2 " + id + ": " + (done.isEmpty() ? "" : String.join("; ", done) + "; then ");
        }

        private String result() {
            return "ec2 " + id + ": " + String.join("; ", done);
        }
    }

    /** A bounded wait measured on the injected ticker. */
    private final class Poll {
        private final long start = aws.ticker().nanoTime();
        private final long deadline;
        private int polls;

        Poll(Duration limit) {
            this.deadline = start + limit.toNanos();
        }

        boolean expired() {
            return aws.ticker().nanoTime() - deadline >= 0;
        }

        void pause() throws RestartFailedException {
            polls++;
            long left = deadline - aws.ticker().nanoTime();
            try {
                aws.pause().pause(Duration.ofNanos(Math.min(timeouts.poll().toNanos(), Math.max(0, left))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RestartFailedException("ec2: interrupted while waiting for the instance (the agent is"
                        + " stopping); the next attempt goes on from the state it is in", e);
            }
        }

        /** {@code " after 3 polls (6s)"}, or nothing when the first look saw it. */
        String after() {
            if (polls == 0) {
                return "";
            }
            return " after " + polls + (polls == 1 ? " poll" : " polls") + " ("
                    + human(Duration.ofNanos(aws.ticker().nanoTime() - start)) + ")";
        }
    }

    static final String PERMISSIONS = "ec2:DescribeInstances, ec2:RebootInstances, ec2:StopInstances and"
            + " ec2:StartInstances";

    private static String clientHint(SdkException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Unable to load region")) {
            return "set escalate.vm.region, or AWS_REGION in the agent's environment";
        }
        if (m.contains("Unable to load credentials")) {
            return "give the agent credentials: an instance profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY in its environment";
        }
        return "check that this host reaches the EC2 endpoint (escalate.vm.endpoint, AWS_ENDPOINT_URL_EC2, or the"
                + " region's) and any proxy between";
    }

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
