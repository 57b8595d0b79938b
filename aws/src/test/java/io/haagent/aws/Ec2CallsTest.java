package io.haagent.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.Ec2Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/** The translation of the SDK's exceptions: the sentence, retryable, and whose hint is used. */
class Ec2CallsTest {
    private static final String GRANT = "ec2:DescribeNetworkInterfaces and ec2:AttachNetworkInterface";

    private Ec2Endpoint endpoint;
    private Ec2Calls ec2;
    /** What the caller's own hint was asked for: code, operation, region. */
    private final List<String> asked = new ArrayList<>();

    @BeforeEach
    void open() throws AwsFailure {
        endpoint = Ec2Endpoint.start();
        ec2 = Ec2Calls.open(Optional.of("eu-west-1"), Optional.of(endpoint.endpoint()), Duration.ofSeconds(5),
                b -> b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t"))),
                new Ec2Hints("on_master.address.eni", GRANT, (code, operation, region) -> {
                    asked.add(code + " " + operation + " " + region);
                    return "the caller's hint";
                }));
    }

    @AfterEach
    void close() {
        ec2.close();
        endpoint.close();
    }

    private static AwsServiceException serviceError(String code, int status) {
        return Ec2Exception.builder().statusCode(status).requestId("req-1")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("it said no").build()).build();
    }

    private AwsFailure failing(String operation, RuntimeException thrown) {
        return assertThrows(AwsFailure.class, () -> ec2.call(operation, () -> {
            throw thrown;
        }));
    }

    @Test
    void accessDenied_namesTheOperationAndWhatToAllow_notRetryable() {
        AwsServiceException thrown = serviceError("UnauthorizedOperation", 403);
        AwsFailure f = failing("AttachNetworkInterface", thrown);

        assertEquals("AttachNetworkInterface failed: UnauthorizedOperation: it said no (request req-1); the agent's"
                + " credentials may not call ec2:AttachNetworkInterface; allow " + GRANT + " in their IAM policy",
                f.getMessage());
        assertFalse(f.retryable());
        assertEquals("AttachNetworkInterface", f.operation());
        assertEquals("UnauthorizedOperation", f.code());
        assertSame(thrown, f.getCause());
        assertEquals(List.of(), asked);
    }

    @Test
    void refusedCredentials_sayToCheckTheChainAndTheClock() {
        AwsFailure f = failing("DescribeNetworkInterfaces", serviceError("AuthFailure", 401));

        assertTrue(f.getMessage().endsWith("; AWS refused the credentials: check which ones the default chain found"
                + " (instance profile, AWS_PROFILE, AWS_ACCESS_KEY_ID) and that the host's clock is right"),
                f.getMessage());
        assertFalse(f.retryable());
    }

    @Test
    void throttling_isRetryable_withTheRateLimitHint() {
        AwsFailure f = failing("DescribeNetworkInterfaces", serviceError("RequestLimitExceeded", 400));

        assertTrue(f.getMessage().endsWith("; the account's EC2 request rate limit was hit; the next attempt tries"
                + " again"), f.getMessage());
        assertTrue(f.retryable());
    }

    @Test
    void anyOtherCode_getsTheCallersHint_withTheRegion() {
        AwsFailure f = failing("AttachNetworkInterface", serviceError("InvalidNetworkInterfaceID.NotFound", 400));

        assertEquals("AttachNetworkInterface failed: InvalidNetworkInterfaceID.NotFound: it said no (request req-1);"
                + " the caller's hint", f.getMessage());
        assertFalse(f.retryable());
        assertEquals(List.of("InvalidNetworkInterfaceID.NotFound AttachNetworkInterface eu-west-1"), asked);
    }

    @Test
    void transientCodesAndServerErrors_areRetryable() {
        assertTrue(failing("AttachNetworkInterface", serviceError("IncorrectState", 400)).retryable());
        assertTrue(failing("AttachNetworkInterface", serviceError("SomethingNew", 503)).retryable());
        assertTrue(Ec2Calls.transientCode("InvalidNetworkInterface.InUse"));
        assertFalse(Ec2Calls.transientCode("InvalidNetworkInterfaceID.NotFound"));
    }

    @Test
    void noErrorCode_isNamedByTheHttpStatus() {
        AwsServiceException bare = Ec2Exception.builder().statusCode(502).message("bad gateway").build();
        AwsFailure f = failing("DescribeNetworkInterfaces", bare);

        assertTrue(f.getMessage().startsWith("DescribeNetworkInterfaces failed: HTTP 502: bad gateway; "),
                f.getMessage());
        assertEquals("HTTP 502", f.code());
        assertTrue(f.retryable());
    }

    @Test
    void missingCredentials_areNotRetryable_andSayHowToGiveThem() {
        AwsFailure f = failing("DescribeNetworkInterfaces",
                SdkClientException.create("Unable to load credentials from any of the providers"));

        assertEquals("DescribeNetworkInterfaces failed: Unable to load credentials from any of the providers; give the"
                + " agent credentials: an instance profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                + " in its environment", f.getMessage());
        assertFalse(f.retryable());
        assertEquals("SdkClientException", f.code());
    }

    @Test
    void anUnreachableEndpoint_isRetryable_andNamesTheConfigKey() {
        AwsFailure f = failing("DescribeNetworkInterfaces", SdkClientException.create("Connection refused"));

        assertEquals("DescribeNetworkInterfaces failed: Connection refused; check that this host reaches the EC2"
                + " endpoint (on_master.address.eni.endpoint, AWS_ENDPOINT_URL_EC2, or the region's) and any proxy"
                + " between", f.getMessage());
        assertTrue(f.retryable());
    }

    @Test
    void aRealErrorDocument_fromTheEndpoint_isTranslatedTheSameWay() {
        String eni = endpoint.addEni("10.0.1.50");
        String instance = endpoint.addInstance();
        endpoint.failAttach(10, "InvalidParameterValue");

        AwsFailure f = assertThrows(AwsFailure.class, () -> ec2.call("AttachNetworkInterface", () -> ec2.client()
                .attachNetworkInterface(r -> r.networkInterfaceId(eni).instanceId(instance).deviceIndex(1))));

        assertEquals("InvalidParameterValue", f.code());
        assertFalse(f.retryable());
        assertTrue(f.getMessage().startsWith("AttachNetworkInterface failed: InvalidParameterValue: "), f.getMessage());
        assertTrue(f.getMessage().endsWith("; the caller's hint"), f.getMessage());
        assertEquals(List.of("InvalidParameterValue AttachNetworkInterface eu-west-1"), asked);
    }

    @Test
    void region_isTheClients() {
        assertEquals("eu-west-1", ec2.region());
    }
}
