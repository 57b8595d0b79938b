package io.haagent.failover.address;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;

/** {@link InstanceIdentity#imds()}; the builder hook lets tests point it at an endpoint of theirs. */
final class ImdsIdentity implements InstanceIdentity {
    private static final Duration CONNECT = Duration.ofSeconds(1);
    private static final Duration READ = Duration.ofSeconds(2);

    private final Consumer<Ec2MetadataClient.Builder> customize;
    private volatile String cached;

    ImdsIdentity(Consumer<Ec2MetadataClient.Builder> customize) {
        this.customize = customize;
    }

    @Override
    public String instanceId() throws AddressMoveException {
        String id = cached;
        if (id != null) {
            return id;
        }
        Ec2MetadataClient.Builder b = Ec2MetadataClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT).socketTimeout(READ));
        customize.accept(b);
        try (Ec2MetadataClient imds = b.build()) {
            id = imds.get("/latest/meta-data/instance-id").asString().strip();
        } catch (RuntimeException e) { // SdkClientException mostly: the SDK's retries are spent
            throw new AddressMoveException("this host's instance metadata (IMDSv2) did not say which instance it is: "
                    + e.getMessage() + "; on EC2, check that the metadata service is enabled and its hop limit lets"
                    + " the agent reach it (2 from a container); AWS_EC2_METADATA_SERVICE_ENDPOINT moves it",
                    List.of(), e);
        }
        if (!id.startsWith("i-")) {
            throw new AddressMoveException("the instance metadata service answered '" + id + "' for instance-id,"
                    + " which is no instance id; check AWS_EC2_METADATA_SERVICE_ENDPOINT", List.of(), null);
        }
        cached = id;
        return id;
    }
}
