package io.haagent.failover.address;

import io.haagent.aws.AwsFailure;
import io.haagent.aws.ImdsIdentity;
import java.util.List;

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
     * IMDSv2 through the AWS adapter's {@link ImdsIdentity}: asked once and remembered, since an
     * instance does not change its id; {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} moves the endpoint.
     */
    static InstanceIdentity imds(ImdsIdentity imds) {
        return () -> {
            String id;
            try {
                id = imds.instanceId();
            } catch (AwsFailure e) { // the SDK's retries are spent
                throw new AddressMoveException("this host's instance metadata (IMDSv2) did not say which instance it"
                        + " is: " + e.getMessage() + "; on EC2, check that the metadata service is enabled and its hop"
                        + " limit lets the agent reach it (2 from a container); AWS_EC2_METADATA_SERVICE_ENDPOINT"
                        + " moves it", List.of(), e.getCause());
            }
            if (!id.startsWith("i-")) {
                throw new AddressMoveException("the instance metadata service answered '" + id + "' for"
                        + " instance-id, which is no instance id; check AWS_EC2_METADATA_SERVICE_ENDPOINT", List.of(),
                        null);
            }
            return id;
        };
    }

    /** A known id, for a host that is told who it is. */
    static InstanceIdentity fixed(String instanceId) {
        return () -> instanceId;
    }
}
