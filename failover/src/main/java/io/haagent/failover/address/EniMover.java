package io.haagent.failover.address;

import io.haagent.aws.AwsFailure;
import io.haagent.aws.Ec2Calls;
import io.haagent.aws.Ec2Hints;
import io.haagent.aws.Poll;
import io.haagent.config.VrrpInstance;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.model.AttachmentStatus;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceAttachment;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * {@code eni}: re-attaches an ENI to this instance. Each round describes the ENI and {@link #decide}s
 * one action from what it sees, so a move cut short anywhere — detach sent, detach done, attach sent —
 * is completed by the next acquire instead of being started over.
 */
final class EniMover implements AddressMover {
    private static final Logger log = LoggerFactory.getLogger(EniMover.class);
    static final String PERMISSIONS = "ec2:DescribeNetworkInterfaces, ec2:DetachNetworkInterface and"
            + " ec2:AttachNetworkInterface";
    private static final String CONFIG = "on_master.address.eni";
    private static final Ec2Hints HINTS = Enis.hints(CONFIG, PERMISSIONS);

    private final VrrpInstance.Eni spec;
    private final AddressMovers.Timeouts timeouts;
    private final Edges edges;

    EniMover(VrrpInstance.Eni spec, AddressMovers.Timeouts timeouts, Edges edges) {
        this.spec = spec;
        this.timeouts = timeouts;
        this.edges = edges;
    }

    @Override
    public String describe() {
        return "eni " + spec.id() + " at device index " + spec.deviceIndex() + spec.region().map(r -> " in " + r)
                .orElse("");
    }

    /** The ENI's attachment as one describe showed it; {@code instanceId} empty when it is available. */
    record Seen(Optional<String> instanceId, Optional<String> attachmentId, AttachmentStatus status, int deviceIndex) {
        static Seen of(NetworkInterface eni) {
            NetworkInterfaceAttachment a = eni.attachment();
            if (a == null || a.instanceId() == null || a.status() == AttachmentStatus.DETACHED) {
                return new Seen(Optional.empty(), Optional.empty(), AttachmentStatus.DETACHED, -1);
            }
            return new Seen(Optional.of(a.instanceId()), Optional.ofNullable(a.attachmentId()), a.status(),
                    a.deviceIndex() == null ? -1 : a.deviceIndex());
        }

        @Override
        public String toString() {
            return instanceId.map(i -> status + (status == AttachmentStatus.DETACHING ? " from " : " to ") + i
                    + " at device index " + deviceIndex).orElse("available");
        }
    }

    enum Act { DONE, WAIT, DETACH, FORCE_DETACH, ATTACH }

    /**
     * The next action, a pure function of one observation and what this call already did.
     *
     * @param detachSent        the attachment id this call already detached normally, if any
     * @param detachingForNanos how long the ENI has been seen {@code detaching}, or -1
     */
    static Act decide(Seen seen, String me, Optional<String> detachSent, long detachingForNanos, boolean forced,
                      Duration forceDetachAfter) {
        if (seen.instanceId().isEmpty()) {
            return Act.ATTACH;
        }
        boolean here = seen.instanceId().get().equals(me);
        return switch (seen.status()) {
            case ATTACHED -> here ? Act.DONE
                    // a read from before our detach took effect (EC2 is eventually consistent): look again
                    : seen.attachmentId().equals(detachSent) && detachSent.isPresent() ? Act.WAIT : Act.DETACH;
            case ATTACHING -> Act.WAIT; // whoever attaches it, wait for the outcome before acting
            case DETACHING -> !forced && detachingForNanos >= forceDetachAfter.toNanos() && !here
                    ? Act.FORCE_DETACH : Act.WAIT;
            default -> Act.WAIT; // UNKNOWN_TO_SDK_VERSION: a state this SDK does not know; look again
        };
    }

    /** The tag an acquire under a ZooKeeper lease puts on the ENI: the lease's epoch, {@code 0x2c}. */
    static final String LEASE_EPOCH_TAG = "haagent:lease-epoch";

    @Override
    public MoveResult acquire() throws AddressMoveException {
        return acquire(OptionalLong.empty());
    }

    /** Also tags the ENI {@value #LEASE_EPOCH_TAG} = the epoch (needs {@code ec2:CreateTags}; without it, logged). */
    @Override
    public MoveResult acquire(long leaseEpoch) throws AddressMoveException {
        return acquire(OptionalLong.of(leaseEpoch));
    }

    private MoveResult acquire(OptionalLong leaseEpoch) throws AddressMoveException {
        MoveRecorder steps = new MoveRecorder(edges.ticker());
        String me = steps.thisInstance(edges.identity(), prefix());
        Ec2Calls api;
        try {
            api = Ec2Calls.open(spec.region(), spec.endpoint(), timeouts.call(), edges.aws().ec2(), HINTS);
        } catch (AwsFailure e) {
            throw steps.failure(prefix() + e.getMessage(), e.getCause());
        }
        try (api) {
            return new Run(api, me, steps, leaseEpoch).acquire();
        } catch (RuntimeException e) { // the contract: nothing but AddressMoveException escapes
            throw steps.failure(prefix() + steps.doneSoFar() + "unexpected failure: " + e, e);
        }
    }

    /** Nothing to do: the new master takes the ENI; detaching it here would only lengthen the gap. */
    @Override
    public MoveResult release() {
        return new MoveResult(prefix() + "left attached; the new master detaches and takes it", List.of(), false);
    }

    private String prefix() {
        return "eni " + spec.id() + ": ";
    }

    /** One acquire: the client, this instance, the steps so far. */
    private final class Run {
        private final Ec2Calls api;
        private final String me;
        private final MoveRecorder steps;
        private final String eni = spec.id().value();
        private Optional<String> detachSent = Optional.empty();
        private Optional<String> from = Optional.empty();
        private long detachingSince = -1;
        private long detachStarted = -1;
        private long attachStarted = -1;
        private boolean forced;
        private Seen last;
        private Act lastAct = Act.WAIT;
        private AwsFailure lastError;

        private final OptionalLong leaseEpoch;

        Run(Ec2Calls api, String me, MoveRecorder steps, OptionalLong leaseEpoch) {
            this.api = api;
            this.me = me;
            this.steps = steps;
            this.leaseEpoch = leaseEpoch;
        }

        MoveResult acquire() throws AddressMoveException {
            Poll poll = edges.aws().poll(timeouts.deadline(), timeouts.polls());
            while (true) {
                Act act = round();
                if (act == Act.DONE) {
                    return done();
                }
                if (poll.expired()) {
                    throw timedOut();
                }
                try {
                    poll.pause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw steps.failure(prefix() + steps.doneSoFar() + "interrupted (the agent is stopping) while the"
                            + " ENI was " + where() + "; the next acquire goes on from there", e);
                }
            }
        }

        /** One look and at most one action; transient failures are kept for the sentence and retried. */
        private Act round() throws AddressMoveException {
            try {
                last = Seen.of(Enis.describe(api, eni, CONFIG));
            } catch (AwsFailure e) {
                return retryOrThrow(e);
            }
            long now = steps.now();
            if (last.status() == AttachmentStatus.DETACHING) {
                detachingSince = detachingSince < 0 ? now : detachingSince;
            } else {
                detachingSince = -1;
            }
            if (last.instanceId().isPresent() && !last.instanceId().get().equals(me) && from.isEmpty()) {
                from = last.instanceId();
            }
            Act act = decide(last, me, detachSent, detachingSince < 0 ? -1 : now - detachingSince, forced,
                    spec.forceDetachAfter());
            lastAct = Act.WAIT;
            try {
                switch (act) {
                    case DETACH -> detach(false);
                    case FORCE_DETACH -> detach(true);
                    case ATTACH -> attach();
                    case DONE, WAIT -> { }
                }
            } catch (AwsFailure e) {
                return retryOrThrow(e);
            }
            lastAct = act;
            return act;
        }

        /** Where the ENI is, as far as this call knows: the last describe, moved on by the action taken after it. */
        private String where() {
            if (last == null) {
                return "not yet described";
            }
            return switch (lastAct) {
                case DETACH, FORCE_DETACH -> "detaching from " + last.instanceId().orElse("?") + " at device index "
                        + last.deviceIndex();
                case ATTACH -> "attaching to " + me + " at device index " + spec.deviceIndex();
                default -> last.toString();
            };
        }

        private Act retryOrThrow(AwsFailure e) throws AddressMoveException {
            if (!e.retryable()) {
                throw steps.failure(prefix() + steps.doneSoFar() + e.getMessage(), e.getCause());
            }
            lastError = e;
            steps.add(e.operation() + " failed with " + e.code() + "; retrying", steps.now());
            log.debug("{}{}; retrying", prefix(), e.getMessage());
            return Act.WAIT;
        }

        private void detach(boolean force) throws AwsFailure {
            String attachment = last.attachmentId().orElseThrow();
            long t = steps.now();
            if (force) {
                // Loud on purpose: AWS warns that a forced detach can leave the old instance unable to use
                // that device index again until it is stopped and started.
                log.warn("{}forcing the detach from {} with Force=true because a normal detach was still detaching"
                        + " after {}; the old instance may be unable to attach anything at device index {} until it"
                        + " is stopped and started", prefix(), last.instanceId().orElse("?"),
                        MoveRecorder.human(spec.forceDetachAfter()), last.deviceIndex());
            }
            api.call("DetachNetworkInterface", () -> api.client().detachNetworkInterface(r -> r
                    .attachmentId(attachment).force(force ? Boolean.TRUE : null)));
            if (force) {
                forced = true;
                steps.add("DetachNetworkInterface Force=true from " + last.instanceId().orElse("?") + " after "
                        + MoveRecorder.human(spec.forceDetachAfter()) + " detaching", t);
            } else {
                detachSent = Optional.of(attachment);
                detachStarted = t;
                steps.add("DetachNetworkInterface from " + last.instanceId().orElse("?"), t);
            }
        }

        private void attach() throws AwsFailure {
            if (detachStarted >= 0 || forced || detachingSince >= 0) {
                steps.add("available", detachStarted >= 0 ? detachStarted : steps.now());
                detachStarted = -1;
            }
            long t = steps.now();
            api.call("AttachNetworkInterface", () -> api.client().attachNetworkInterface(r -> r
                    .networkInterfaceId(eni).instanceId(me).deviceIndex(spec.deviceIndex())));
            steps.add("AttachNetworkInterface to " + me + " at device index " + spec.deviceIndex(), t);
            attachStarted = attachStarted < 0 ? t : attachStarted;
        }

        private MoveResult done() {
            String where = "this instance " + me + " at device index " + last.deviceIndex();
            boolean moved = !steps.isEmpty();
            if (moved) {
                steps.add("attached", attachStarted >= 0 ? attachStarted : steps.now());
            }
            String tagged = tagEpoch();
            if (!moved) {
                String note = last.deviceIndex() == spec.deviceIndex() ? "" : " (the config says "
                        + spec.deviceIndex() + "; left as it is rather than cut the traffic to re-attach it)";
                return steps.result(prefix() + "was already attached to " + where + note + "; nothing to do" + tagged,
                        false);
            }
            return steps.result(prefix() + "moved " + from.map(f -> "from " + f + " ").orElse("") + "to " + where
                    + (forced ? " with a forced detach" : "") + " in " + MoveRecorder.human(steps.total()) + tagged,
                    true);
        }

        /**
         * Under a lease, tags the ENI with the lease's epoch, so whoever looks at it can tell which master took it
         * last. The move is done either way: a refused tag (no {@code ec2:CreateTags}) is said, not failed.
         */
        private String tagEpoch() {
            if (leaseEpoch.isEmpty()) {
                return "";
            }
            String value = "0x" + Long.toHexString(leaseEpoch.getAsLong());
            long t = steps.now();
            try {
                api.call("CreateTags", () -> api.client().createTags(r -> r.resources(eni)
                        .tags(Tag.builder().key(LEASE_EPOCH_TAG).value(value).build())));
                steps.add("CreateTags " + LEASE_EPOCH_TAG + "=" + value, t);
                return "; tagged " + LEASE_EPOCH_TAG + "=" + value;
            } catch (AwsFailure e) {
                log.warn("{}could not tag the ENI {}={} (grant ec2:CreateTags to see the lease's epoch on the ENI;"
                        + " it is in this log line): {}", prefix(), LEASE_EPOCH_TAG, value, e.getMessage());
                return "; not tagged " + LEASE_EPOCH_TAG + "=" + value + " (" + e.code() + ")";
            }
        }

        private AddressMoveException timedOut() {
            String why = lastError == null ? "" : "; the last error: " + lastError.getMessage();
            String advice = switch (last == null ? "" : last.status().toString()) {
                case "detached" -> "nobody holds it now: the next acquire attaches it";
                case "detaching" -> forced ? "even the forced detach has not completed; look at the old instance"
                        + " in the EC2 console" : "the next acquire forces the detach";
                default -> "the next acquire goes on from there";
            };
            return steps.failure(prefix() + steps.doneSoFar() + "gave up after "
                    + MoveRecorder.human(timeouts.deadline()) + " with the ENI " + where() + why + "; " + advice,
                    lastError);
        }
    }
}
