package io.haagent.agent.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.testkit.Ec2Endpoint;
import io.haagent.testkit.FakeTicker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** IMDSv2's identity document from testkit's in-test endpoint on 127.0.0.1; never the real 169.254.169.254. */
class Ec2IdentityTest {
    private static final List<String> ONE_ASK = List.of("PUT /latest/api/token ttl=60",
            "GET /latest/dynamic/instance-identity/document token=ok");
    private final Ec2Endpoint ec2 = Ec2Endpoint.start();
    private final FakeTicker ticker = new FakeTicker();

    @AfterEach
    void stop() {
        ec2.close();
    }

    @Test
    void answers_tokenThenDocument_askedOnceThenRemembered() {
        String id = ec2.addInstance();
        ec2.imdsInstanceId(id);
        ec2.imdsInstanceType("m6i.large");
        Ec2Identity identity = new Ec2Identity(ec2.endpoint(), ticker::nanoTime);

        assertEquals(Optional.of(new Ec2Instance(id, "us-east-1a", "m6i.large")), identity.get());
        ticker.advance(Duration.ofHours(1));
        assertEquals(Optional.of(new Ec2Instance(id, "us-east-1a", "m6i.large")), identity.get());
        assertEquals(ONE_ASK, ec2.imdsRequests(), "an instance keeps its identity: asked once");
    }

    @Test
    void noAnswer_askedAgainOnlyAfterTenMinutes() {
        Ec2Identity identity = new Ec2Identity(ec2.endpoint(), ticker::nanoTime); // no instance id: 404

        assertEquals(Optional.empty(), identity.get());
        ec2.imdsInstanceId(ec2.addInstance());
        ticker.advance(Duration.ofMinutes(9));
        assertEquals(Optional.empty(), identity.get(), "not asked again within 10 minutes");
        assertEquals(ONE_ASK, ec2.imdsRequests());

        ticker.advance(Duration.ofMinutes(1));
        assertEquals(true, identity.get().isPresent());
        assertEquals(4, ec2.imdsRequests().size());
    }

    @Test
    void nothingListening_emptyWithoutWaitingLong() {
        URI closed = ec2.endpoint();
        ec2.close();
        assertEquals(Optional.empty(), new Ec2Identity(closed, ticker::nanoTime).get());
    }

    @Test
    void environment_endpointAsTheSdkReadsIt_orOff() {
        String id = ec2.addInstance();
        ec2.imdsInstanceId(id);

        Ec2Identity moved = Ec2Identity.fromEnvironment(
                Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", ec2.endpoint() + "/"), ticker::nanoTime);
        assertEquals(id, moved.get().orElseThrow().instanceId());

        ec2.clearCalls();
        Ec2Identity off = Ec2Identity.fromEnvironment(Map.of("AWS_EC2_METADATA_DISABLED", "true",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT", ec2.endpoint().toString()), ticker::nanoTime);
        assertEquals(Optional.empty(), off.get());
        assertEquals(List.of(), ec2.imdsRequests());
    }
}
