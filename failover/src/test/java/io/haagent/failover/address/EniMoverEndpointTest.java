package io.haagent.failover.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.aws.AwsEdges;
import io.haagent.aws.ImdsIdentity;
import io.haagent.config.AwsId;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.step.TimedStep;
import io.haagent.testkit.Ec2Endpoint;
import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The ENI mover against the in-test EC2 endpoint: the slow and failing paths moto cannot show (it
 * attaches and detaches at once). The endpoint keeps an ENI {@code attaching}/{@code detaching} for one
 * describe after each change, like EC2; polls advance a fake ticker, so no test waits for real.
 */
class EniMoverEndpointTest {
    private static final Duration FORCE_AFTER = Duration.ofSeconds(5);

    private final Ec2Endpoint ec2 = Ec2Endpoint.start();
    private final FakeTicker ticker = new FakeTicker();
    private final List<Duration> pauses = new CopyOnWriteArrayList<>();
    private final String a = ec2.addInstance();
    private final String b = ec2.addInstance();
    private final String eni = ec2.addEni("10.0.1.50");

    @AfterEach
    void stop() {
        ec2.close();
    }

    /** Edges for an agent on instance b, which IMDS at the endpoint names. */
    private Edges edges() {
        ec2.imdsInstanceId(b);
        return new Edges(new AwsEdges(builder -> builder.credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create("testing", "testing"))),
                m -> { },
                ticker::nanoTime,
                d -> {
                    pauses.add(d);
                    ticker.advance(d);
                }),
                InstanceIdentity.imds(new ImdsIdentity(m -> m.endpoint(ec2.endpoint()))),
                args -> {
                    throw new AssertionError("the eni mover runs no ip command: " + args);
                },
                NetDevices.SYSFS,
                null);
    }

    private AddressMover mover(AddressMovers.Timeouts timeouts) {
        var spec = new VrrpInstance.Eni(AwsId.eni(eni), 1, Optional.of("us-east-1"), Optional.of(ec2.endpoint()),
                FORCE_AFTER);
        return AddressMovers.of(spec, timeouts, edges());
    }

    private AddressMover mover() {
        return mover(AddressMovers.Timeouts.DEFAULT);
    }

    private List<String> steps(List<TimedStep> steps) {
        return steps.stream().map(TimedStep::what).toList();
    }

    @Test
    void attachedToTheOtherInstance_detachesWaitsAttachesHere() throws Exception {
        ec2.attach(eni, a, 1);

        MoveResult r = mover().acquire();

        assertEquals(List.of(
                "DescribeNetworkInterfaces", "DetachNetworkInterface", // attached to a: detach
                "DescribeNetworkInterfaces", // detaching
                "DescribeNetworkInterfaces", "AttachNetworkInterface", // available: attach
                "DescribeNetworkInterfaces", // attaching
                "DescribeNetworkInterfaces"), ec2.actions()); // attached
        assertEquals(Optional.of(b), ec2.eniView(eni).instanceId());
        assertEquals(1, ec2.eniView(eni).deviceIndex());
        assertEquals(Optional.of("attached"), ec2.eniView(eni).attachmentStatus());
        assertEquals(List.of("DetachNetworkInterface from " + a, "available",
                "AttachNetworkInterface to " + b + " at device index 1", "attached"), steps(r.steps()));
        assertEquals("eni " + eni + ": moved from " + a + " to this instance " + b + " at device index 1 in 2.8s",
                r.sentence());
        assertTrue(r.changed());
        assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(1)), pauses, "backoff 250ms, 500ms, then 1s: no 20s SDK waiter");
        assertEquals(null, ec2.calls("DetachNetworkInterface").getFirst().param("Force"), "a normal detach first");
        assertEquals(List.of("PUT /latest/api/token ttl=21600", "GET /latest/meta-data/instance-id token=ok"),
                ec2.imdsRequests(), "IMDSv2: token first, then the id with it");
    }

    @Test
    void detachNeverCompletes_forcedAfterForceDetachAfter_thenAttaches() throws Exception {
        ec2.attach(eni, a, 1);
        ec2.stuckDetaching(eni);

        MoveResult r = mover().acquire();

        var detaches = ec2.calls("DetachNetworkInterface");
        assertEquals(2, detaches.size(), ec2.actions().toString());
        assertEquals(null, detaches.get(0).param("Force"));
        assertEquals("true", detaches.get(1).param("Force"));
        assertEquals(Optional.of(b), ec2.eniView(eni).instanceId());
        assertTrue(steps(r.steps()).contains("DetachNetworkInterface Force=true from " + a + " after 5s detaching"),
                r.steps().toString());
        assertTrue(r.sentence().contains("with a forced detach"), r.sentence());
        // One pause between two describes; the ENI was first seen detaching at the second describe.
        List<String> actions = ec2.actions();
        int describesBeforeForce = (int) actions.subList(0, actions.lastIndexOf("DetachNetworkInterface")).stream()
                .filter("DescribeNetworkInterfaces"::equals).count();
        Duration seenDetachingFor = total(pauses.subList(1, describesBeforeForce - 1));
        assertTrue(seenDetachingFor.compareTo(FORCE_AFTER) >= 0, "not before " + FORCE_AFTER + ": " + pauses);
        assertTrue(seenDetachingFor.minus(pauses.get(describesBeforeForce - 2)).compareTo(FORCE_AFTER) < 0,
                "at the first look past " + FORCE_AFTER + ": " + pauses);
    }

    private static Duration total(List<Duration> ds) {
        return ds.stream().reduce(Duration.ZERO, Duration::plus);
    }

    @Test
    void attachFailsTwice_retriedUntilItSucceeds() throws Exception {
        ec2.attach(eni, a, 1);
        ec2.failAttach(2, "IncorrectState");

        MoveResult r = mover().acquire();

        assertEquals(3, ec2.calls("AttachNetworkInterface").size());
        assertEquals(1, ec2.calls("DetachNetworkInterface").size(), "detached once, not again per retry");
        assertEquals(Optional.of(b), ec2.eniView(eni).instanceId());
        assertEquals(List.of("DetachNetworkInterface from " + a, "available",
                "AttachNetworkInterface failed with IncorrectState; retrying",
                "AttachNetworkInterface failed with IncorrectState; retrying",
                "AttachNetworkInterface to " + b + " at device index 1", "attached"), steps(r.steps()));
    }

    @Test
    void attachFailsWithServerErrors_sdkRetriesThenMoverRetries() throws Exception {
        ec2.failAttach(4, "InternalError", 500); // the SDK's standard mode makes 3 attempts per call

        MoveResult r = mover().acquire();

        assertEquals(5, ec2.calls("AttachNetworkInterface").size());
        assertEquals(Optional.of(b), ec2.eniView(eni).instanceId());
        assertTrue(steps(r.steps()).contains("AttachNetworkInterface failed with InternalError; retrying"),
                r.steps().toString());
    }

    @Test
    void moveCutShortAfterTheDetach_nextAcquireOnlyAttaches() throws Exception {
        ec2.attach(eni, a, 1);
        ec2.failAttach(Integer.MAX_VALUE, "IncorrectState");
        var shortDeadline = new AddressMovers.Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofMillis(250), Duration.ofSeconds(1));

        var e = assertThrows(AddressMoveException.class, () -> mover(shortDeadline).acquire());

        assertTrue(e.getMessage().startsWith("eni " + eni + ": done: DetachNetworkInterface from " + a
                + "; available; AttachNetworkInterface failed with IncorrectState; retrying;"), e.getMessage());
        assertTrue(e.getMessage().contains("gave up after 10s with the ENI available; the last error:"
                + " AttachNetworkInterface failed: IncorrectState: Scripted failure of AttachNetworkInterface"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; nobody holds it now: the next acquire attaches it"), e.getMessage());
        assertEquals("available", ec2.eniView(eni).status(), "half done: detached, not attached");
        assertEquals("DetachNetworkInterface from " + a, e.steps().getFirst().what());

        ec2.failAttach(0, "IncorrectState");
        ec2.clearCalls();
        MoveResult r = mover().acquire();

        assertEquals(List.of("DescribeNetworkInterfaces", "AttachNetworkInterface", "DescribeNetworkInterfaces",
                "DescribeNetworkInterfaces"), ec2.actions(), "resumed: no second detach");
        assertEquals(Optional.of(b), ec2.eniView(eni).instanceId());
        assertEquals("eni " + eni + ": moved to this instance " + b + " at device index 1 in 750ms", r.sentence());
    }

    @Test
    void interruptedWhileDetaching_nextAcquireFinishesTheMove() throws Exception {
        ec2.attach(eni, a, 1);
        ec2.transitionReads(3);
        var edges = edges();
        Edges interrupting = new Edges(new AwsEdges(edges.aws().ec2(), edges.aws().imds(), edges.ticker(), d -> {
            throw new InterruptedException("agent stopping");
        }), edges.identity(), edges.ip(), edges.devices(), edges.announcer());
        var spec = new VrrpInstance.Eni(AwsId.eni(eni), 1, Optional.of("us-east-1"), Optional.of(ec2.endpoint()),
                FORCE_AFTER);

        var e = assertThrows(AddressMoveException.class,
                () -> AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, interrupting).acquire());
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");

        assertEquals("eni " + eni + ": done: DetachNetworkInterface from " + a + "; then interrupted (the agent is"
                + " stopping) while the ENI was detaching from " + a + " at device index 1; the next acquire goes on"
                + " from there", e.getMessage());
        ec2.clearCalls();
        mover().acquire();
        assertFalse(ec2.actions().contains("DetachNetworkInterface"), ec2.actions().toString());
        assertEquals(Optional.of(b), ec2.eniView(eni).instanceId());
    }

    @Test
    void alreadyAttachedHere_noOp_noDetachOrAttach() throws Exception {
        ec2.attach(eni, b, 1);

        MoveResult r = mover().acquire();

        assertEquals(List.of("DescribeNetworkInterfaces"), ec2.actions());
        assertFalse(r.changed());
        assertEquals(List.of(), r.steps());
        assertEquals("eni " + eni + ": was already attached to this instance " + b + " at device index 1; nothing"
                + " to do", r.sentence());
    }

    @Test
    void release_doesNothing_theNewMasterTakesIt() throws Exception {
        ec2.attach(eni, b, 1);

        MoveResult r = mover().release();

        assertEquals(List.of(), ec2.actions());
        assertEquals("eni " + eni + ": left attached; the new master detaches and takes it", r.sentence());
    }

    @Test
    void unknownEni_failsAtOnceSayingWhatToCheck() {
        var spec = new VrrpInstance.Eni(AwsId.eni("eni-00000000000000bad"), 1, Optional.of("us-east-1"),
                Optional.of(ec2.endpoint()), FORCE_AFTER);

        var e = assertThrows(AddressMoveException.class,
                () -> AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edges()).acquire());

        assertTrue(e.getMessage().startsWith("eni eni-00000000000000bad: DescribeNetworkInterfaces failed:"
                + " InvalidNetworkInterfaceID.NotFound: The networkInterface ID 'eni-00000000000000bad' does not"
                + " exist (request "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; check on_master.address.eni and the region (us-east-1): the ENI must"
                + " exist there"), e.getMessage());
        assertEquals(List.of(), pauses, "not retried");
    }

    @Test
    void imdsWithoutAnInstanceId_failsSayingWhatToCheck() {
        ec2.attach(eni, a, 1);
        var edges = edges();
        ec2.imdsInstanceId(null);
        var spec = new VrrpInstance.Eni(AwsId.eni(eni), 1, Optional.of("us-east-1"), Optional.of(ec2.endpoint()),
                FORCE_AFTER);

        var e = assertThrows(AddressMoveException.class,
                () -> AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edges).acquire());

        assertTrue(e.getMessage().startsWith("eni " + eni + ": this host's instance metadata (IMDSv2) did not say"
                + " which instance it is: "), e.getMessage());
        assertEquals(List.of(), ec2.actions());
    }
}
