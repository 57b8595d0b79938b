package io.haagent.failover.address;

/**
 * Which EC2 instance this agent runs on. In production the instance metadata service says
 * ({@link #imds()}); tests against moto, whose IMDS does not do the IMDSv2 token handshake the SDK
 * insists on, give the id directly ({@link #fixed}).
 */
@FunctionalInterface
public interface InstanceIdentity {

    /** This instance's id, {@code i-...}. */
    String instanceId() throws AddressMoveException;

    /**
     * IMDSv2 through the SDK's {@code Ec2MetadataClient}: a token from {@code PUT /latest/api/token},
     * then {@code GET /latest/meta-data/instance-id}. The endpoint is the SDK's:
     * {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} (or the {@code aws.ec2MetadataServiceEndpoint} property)
     * moves it. The id is asked once and remembered: an instance does not change its id.
     */
    static InstanceIdentity imds() {
        return new ImdsIdentity(b -> { });
    }

    /** A known id, for a host that is told who it is. */
    static InstanceIdentity fixed(String instanceId) {
        return () -> instanceId;
    }
}
