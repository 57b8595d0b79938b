package io.haagent.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/**
 * One EC2 client for one action (a restart, an address move), and every call through it translated:
 * an SDK exception becomes an {@link AwsFailure} that says whether looking again may succeed and what
 * the operator should check. The client: url-connection-client, region and endpoint from the config
 * where it has them, else the SDK's default chains ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL_EC2} or
 * {@code AWS_ENDPOINT_URL}, the profile, the instance profile). A client per action: they are rare, and
 * a new client sees rotated credentials.
 */
public final class Ec2Calls implements AutoCloseable {
    private static final Duration HTTP_CONNECT = Duration.ofSeconds(5);

    /**
     * Codes after which looking again and retrying can succeed: EC2 is eventually consistent (an ENI just
     * detached may still read in use), and throttling or server errors pass.
     */
    private static final Set<String> TRANSIENT = Set.of("IncorrectState", "InvalidNetworkInterface.InUse",
            "RequestLimitExceeded", "Throttling", "ThrottlingException", "InternalError", "InternalFailure",
            "ServiceUnavailable", "Unavailable");

    private final Ec2Client ec2;
    private final Ec2Hints hints;

    private Ec2Calls(Ec2Client ec2, Ec2Hints hints) {
        this.ec2 = ec2;
        this.hints = hints;
    }

    /**
     * @param call      one API call's bound, the SDK's retries included (also the socket timeout)
     * @param customize the test hook: credentials, interceptors, endpoint
     * @throws AwsFailure not retryable: no region, no credentials, a bad endpoint
     */
    public static Ec2Calls open(Optional<String> region, Optional<URI> endpoint, Duration call,
                                Consumer<Ec2ClientBuilder> customize, Ec2Hints hints) throws AwsFailure {
        try {
            Ec2ClientBuilder b = Ec2Client.builder()
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(HTTP_CONNECT)
                            .socketTimeout(call))
                    .overrideConfiguration(c -> c.apiCallTimeout(call));
            region.ifPresent(r -> b.region(Region.of(r)));
            endpoint.ifPresent(b::endpointOverride);
            customize.accept(b);
            return new Ec2Calls(b.build(), hints);
        } catch (SdkException e) {
            throw new AwsFailure("cannot make an EC2 client: " + e.getMessage() + "; "
                    + clientHint(e, hints.configKey()), false, e);
        }
    }

    /** The SDK client, for the calls the caller makes through {@link #call}. */
    public Ec2Client client() {
        return ec2;
    }

    /** The client's region, {@code none} without one: for hints. */
    public String region() {
        Region r = ec2.serviceClientConfiguration().region();
        return r == null ? "none" : r.id();
    }

    /** Whether AWS's error {@code code} passes by itself (eventual consistency, throttling, server errors). */
    public static boolean transientCode(String code) {
        return TRANSIENT.contains(code);
    }

    /**
     * Makes one call; any SDK exception becomes an {@link AwsFailure} whose sentence starts with
     * {@code "<operation> failed: "}.
     */
    public <T> T call(String operation, Supplier<T> call) throws AwsFailure {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            AwsErrorDetails d = e.awsErrorDetails();
            String code = d == null || d.errorCode() == null ? "HTTP " + e.statusCode() : d.errorCode();
            String message = d == null || d.errorMessage() == null ? e.getMessage() : d.errorMessage();
            boolean retryable = TRANSIENT.contains(code) || e.statusCode() >= 500 || e.isThrottlingException();
            throw new AwsFailure(operation + " failed: " + code + ": " + message
                    + Optional.ofNullable(e.requestId()).map(r -> " (request " + r + ")").orElse("") + "; "
                    + serviceHint(code, operation), retryable, operation, code, e);
        } catch (SdkException e) {
            String m = String.valueOf(e.getMessage());
            boolean setup = m.contains("Unable to load region") || m.contains("Unable to load credentials");
            throw new AwsFailure(operation + " failed: " + e.getMessage() + "; " + clientHint(e, hints.configKey()),
                    !setup, operation, e.getClass().getSimpleName(), e);
        }
    }

    private String serviceHint(String code, String operation) {
        return switch (code) {
            case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException" -> "the agent's credentials may not"
                    + " call ec2:" + operation + "; allow " + hints.grant() + " in their IAM policy";
            case "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "RequestExpired" ->
                    "AWS refused the credentials: check which ones the default chain found (instance profile,"
                            + " AWS_PROFILE, AWS_ACCESS_KEY_ID) and that the host's clock is right";
            case "RequestLimitExceeded", "Throttling", "ThrottlingException" -> "the account's EC2 request rate"
                    + " limit was hit; the next attempt tries again";
            default -> hints.own().hint(code, operation, region());
        };
    }

    private static String clientHint(SdkException e, String configKey) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Unable to load region")) {
            return "set " + configKey + ".region, or AWS_REGION in the agent's environment";
        }
        if (m.contains("Unable to load credentials")) {
            return "give the agent credentials: an instance profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY in its environment";
        }
        return "check that this host reaches the EC2 endpoint (" + configKey + ".endpoint, AWS_ENDPOINT_URL_EC2, or"
                + " the region's) and any proxy between";
    }

    @Override
    public void close() {
        ec2.close();
    }
}
