package io.haagent.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haagent.testkit.Ec2Endpoint;
import io.haagent.testkit.FreePorts;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImdsIdentityTest {

    @Test
    void instanceId_isAskedWithAnImdsV2Token_andRemembered() throws Exception {
        try (Ec2Endpoint imds = Ec2Endpoint.start()) {
            imds.imdsInstanceId("i-0123456789abcdef0");
            ImdsIdentity identity = new ImdsIdentity(b -> b.endpoint(imds.endpoint()));

            assertEquals("i-0123456789abcdef0", identity.instanceId());
            assertEquals("i-0123456789abcdef0", identity.instanceId());
            assertEquals(Optional.of("i-0123456789abcdef0"), identity.instanceIdAtOnce());

            List<String> requests = imds.imdsRequests();
            assertEquals(2, requests.size(), requests.toString()); // one token, one id: asked once
            assertEquals("GET /latest/meta-data/instance-id token=ok", requests.get(1));
        }
    }

    @Test
    void anAnswerThatIsNoInstanceId_isReturned_butAskedAgainNextTime() throws Exception {
        try (Ec2Endpoint imds = Ec2Endpoint.start()) {
            imds.imdsInstanceId("not-an-id");
            ImdsIdentity identity = new ImdsIdentity(b -> b.endpoint(imds.endpoint()));

            assertEquals("not-an-id", identity.instanceId());
            assertEquals("not-an-id", identity.instanceId());
            assertEquals(4, imds.imdsRequests().size(), imds.imdsRequests().toString());
        }
    }

    @Test
    void noMetadataService_atOnceIsEmpty_andTheRetryingAskFails() {
        URI nobody = URI.create("http://127.0.0.1:" + FreePorts.tcp());
        ImdsIdentity identity = new ImdsIdentity(b -> b.endpoint(nobody));

        assertEquals(Optional.empty(), identity.instanceIdAtOnce());
        AwsFailure f = assertThrows(AwsFailure.class, identity::instanceId);
        assertEquals("GET /latest/meta-data/instance-id", f.operation());
    }
}
