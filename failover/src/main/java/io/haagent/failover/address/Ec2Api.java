package io.haagent.failover.address;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;

/**
 * One EC2 client for one mover call, and the translation of the SDK's exceptions into a {@link Failed}
 * that says whether the next poll may succeed and what the operator should check. Built like the
 * agent's {@code Ec2Restarter}: url-connection-client, region and endpoint from the config where it has
 * them, else the SDK's default chains ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL_EC2}, the profile,
 * the instance profile). A client per call: failovers are rare, and a new one sees rotated credentials.
 */
final class Ec2Api implements AutoCloseable {
    private static final Duration HTTP_CONNECT = Duration.ofSeconds(5);

    /**
     * Codes after which looking again and retrying can succeed: EC2 is eventually consistent (an ENI just
     * detached may still read in use), and throttling or server errors pass.
     */
    private static final Set<String> TRANSIENT = Set.of("IncorrectState", "InvalidNetworkInterface.InUse",
            "RequestLimitExceeded", "Throttling", "ThrottlingException", "InternalError", "InternalFailure",
            "ServiceUnavailable", "Unavailable");

    private final Ec2Client ec2;
    private final String configKey;
    private final String permissions;

    private Ec2Api(Ec2Client ec2, String configKey, String permissions) {
        this.ec2 = ec2;
        this.configKey = configKey;
        this.permissions = permissions;
    }

    /**
     * @param configKey   the config block, for hints: {@code on_master.address.eni}
     * @param permissions the IAM actions the mover needs, for the hint on AccessDenied
     */
    static Ec2Api open(Optional<String> region, Optional<URI> endpoint, AddressMovers.Timeouts timeouts, Edges edges,
                       String configKey, String permissions) throws Failed {
        try {
            Ec2ClientBuilder b = Ec2Client.builder()
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(HTTP_CONNECT)
                            .socketTimeout(timeouts.call()))
                    .overrideConfiguration(c -> c.apiCallTimeout(timeouts.call()));
            region.ifPresent(r -> b.region(Region.of(r)));
            endpoint.ifPresent(b::endpointOverride);
            edges.ec2().accept(b);
            return new Ec2Api(b.build(), configKey, permissions);
        } catch (SdkException e) {
            throw new Failed("cannot make an EC2 client: " + e.getMessage() + "; " + clientHint(e, configKey), false, e);
        }
    }

    Ec2Client client() {
        return ec2;
    }

    /** Why a call failed, in words; {@code retryable}: looking again later may find it done or doable. */
    static final class Failed extends Exception {
        final boolean retryable;
        final String operation;
        final String code;

        Failed(String sentence, boolean retryable, Throwable cause) {
            this(sentence, retryable, "", "", cause);
        }

        Failed(String sentence, boolean retryable, String operation, String code, Throwable cause) {
            super(sentence, cause, false, false);
            this.retryable = retryable;
            this.operation = operation;
            this.code = code;
        }
    }

    <T> T call(String operation, Supplier<T> call) throws Failed {
        try {
            return call.get();
        } catch (AwsServiceException e) {
            AwsErrorDetails d = e.awsErrorDetails();
            String code = d == null || d.errorCode() == null ? "HTTP " + e.statusCode() : d.errorCode();
            String message = d == null || d.errorMessage() == null ? e.getMessage() : d.errorMessage();
            boolean retryable = TRANSIENT.contains(code) || e.statusCode() >= 500 || e.isThrottlingException();
            throw new Failed(operation + " failed: " + code + ": " + message
                    + Optional.ofNullable(e.requestId()).map(r -> " (request " + r + ")").orElse("") + "; "
                    + serviceHint(code, operation), retryable, operation, code, e);
        } catch (SdkException e) {
            String m = String.valueOf(e.getMessage());
            boolean setup = m.contains("Unable to load region") || m.contains("Unable to load credentials");
            throw new Failed(operation + " failed: " + e.getMessage() + "; " + clientHint(e, configKey), !setup,
                    operation, e.getClass().getSimpleName(), e);
        }
    }

    /** The ENI as EC2 sees it now. */
    NetworkInterface describe(String eniId) throws Failed {
        return call("DescribeNetworkInterfaces", () -> ec2.describeNetworkInterfaces(r -> r.networkInterfaceIds(eniId)))
                .networkInterfaces().stream()
                .filter(n -> eniId.equals(n.networkInterfaceId()))
                .findFirst()
                .orElseThrow(() -> new Failed("DescribeNetworkInterfaces failed: no ENI " + eniId + " in the answer;"
                        + " check " + configKey + " and the region (" + region() + ")", false, null));
    }

    String region() {
        Region r = ec2.serviceClientConfiguration().region();
        return r == null ? "none" : r.id();
    }

    private String serviceHint(String code, String operation) {
        return switch (code) {
            case "InvalidNetworkInterfaceID.NotFound", "InvalidNetworkInterfaceID.Malformed" -> "check " + configKey
                    + " and the region (" + region() + "): the ENI must exist there";
            case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException" -> "the agent's credentials may not"
                    + " call ec2:" + operation + "; allow " + permissions + " in their IAM policy";
            case "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "RequestExpired" ->
                    "AWS refused the credentials: check which ones the default chain found (instance profile,"
                            + " AWS_PROFILE, AWS_ACCESS_KEY_ID) and that the host's clock is right";
            case "RequestLimitExceeded", "Throttling", "ThrottlingException" -> "the account's EC2 request rate"
                    + " limit was hit; the next attempt tries again";
            default -> TRANSIENT.contains(code) ? "EC2 is still changing the ENI; the next attempt goes on from"
                    + " where it is" : "check " + configKey + ", the credentials (they need " + permissions
                    + "), the region (" + region() + ") and the endpoint";
        };
    }

    static String clientHint(SdkException e, String configKey) {
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
