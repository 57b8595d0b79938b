package io.haagent.aws;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataRetryPolicy;

/**
 * Which EC2 instance this agent runs on, from the instance metadata service (IMDSv2 through the SDK's
 * {@code Ec2MetadataClient}: a token from {@code PUT /latest/api/token}, then
 * {@code GET /latest/meta-data/instance-id}). The endpoint is the SDK's:
 * {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} (or the {@code aws.ec2MetadataServiceEndpoint} property)
 * moves it. An answer that is an instance id ({@code i-...}) is remembered: an instance does not change
 * its id; anything else is returned for the caller to refuse, and asked again next time.
 */
public final class ImdsIdentity {
    private static final Duration CONNECT = Duration.ofSeconds(1);
    private static final Duration READ = Duration.ofSeconds(2);
    private static final String INSTANCE_ID = "/latest/meta-data/instance-id";

    private final Consumer<Ec2MetadataClient.Builder> customize;
    private volatile String cached;

    /** @param customize the test hook: the endpoint of a fake metadata service */
    public ImdsIdentity(Consumer<Ec2MetadataClient.Builder> customize) {
        this.customize = customize;
    }

    /**
     * The id, with the SDK's retries.
     *
     * @throws AwsFailure whose message is the SDK's, for the caller's sentence (not on EC2, the metadata
     *                    service off, its hop limit too low for a container)
     */
    public String instanceId() throws AwsFailure {
        String id = cached;
        if (id != null) {
            return id;
        }
        try (Ec2MetadataClient imds = client(false)) {
            id = imds.get(INSTANCE_ID).asString().strip();
        } catch (RuntimeException e) { // SdkClientException mostly: the SDK's retries are spent
            throw new AwsFailure(e.getMessage(), false, "GET " + INSTANCE_ID, e.getClass().getSimpleName(), e);
        }
        remember(id);
        return id;
    }

    /**
     * The id if the metadata service answers at once (no retries); empty when it does not: not on EC2,
     * or the metadata service is off here, and the caller cannot tell which.
     */
    public Optional<String> instanceIdAtOnce() {
        String id = cached;
        if (id != null) {
            return Optional.of(id);
        }
        try (Ec2MetadataClient imds = client(true)) {
            id = imds.get(INSTANCE_ID).asString().strip();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        remember(id);
        return Optional.of(id);
    }

    private void remember(String id) {
        if (id.startsWith("i-")) {
            cached = id;
        }
    }

    private Ec2MetadataClient client(boolean atOnce) {
        Ec2MetadataClient.Builder b = Ec2MetadataClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(CONNECT).socketTimeout(READ));
        if (atOnce) {
            b.retryPolicy(Ec2MetadataRetryPolicy.none());
        }
        customize.accept(b);
        return b.build();
    }
}
