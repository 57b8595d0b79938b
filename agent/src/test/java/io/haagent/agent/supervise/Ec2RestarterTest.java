package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.haagent.aws.AwsEdges;
import io.haagent.config.AwsId;
import io.haagent.config.ServiceSpec;
import io.haagent.config.ServiceSpec.Ec2Mode;
import io.haagent.testkit.FakeTicker;
import io.haagent.testkit.FreePorts;
import io.haagent.testkit.MotoServer;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.Reservation;

/**
 * EC2 escalation against moto_server, a real third-party implementation of the EC2 API. moto
 * changes states at once (stop gives {@code stopped}, start gives {@code running} on the next
 * read); the slow and failing transitions it cannot show are made by rewriting its
 * DescribeInstances answers in an SDK interceptor, with a fake ticker so no test waits for real.
 */
class Ec2RestarterTest {
    private static final String REGION = "us-east-1";
    private static final AwsBasicCredentials DUMMY = AwsBasicCredentials.create("testing", "testing");

    static MotoServer moto;
    static Ec2Client admin; // the test's own client: sets the scene in moto and reads the outcome
    static String ami; // one of the images moto ships

    /** What the restarter's client sent, and a hook that rewrites the DescribeInstances answers it gets. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile UnaryOperator<Instance> describeRewrite = UnaryOperator.identity();
    final List<Duration> pauses = new CopyOnWriteArrayList<>();
    final FakeTicker ticker = new FakeTicker();
    URI imdsEndpoint = URI.create("http://127.0.0.1:" + FreePorts.tcp()); // nothing listens: "not on EC2"
    HttpServer imdsServer;

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.start();
        admin = Ec2Client.builder()
                .endpointOverride(moto.endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(DUMMY))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        ami = admin.describeImages(r -> { }).images().getFirst().imageId();
    }

    @AfterAll
    static void stopMoto() {
        if (admin != null) {
            admin.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @BeforeEach
    void clear() {
        calls.clear();
        pauses.clear();
    }

    @AfterEach
    void stopImds() {
        if (imdsServer != null) {
            imdsServer.stop(0);
        }
    }

    private Restarters restarters(Restarters.Ec2Timeouts timeouts) {
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
                String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                SdkResponse response = context.response();
                if (response instanceof DescribeInstancesResponse d) {
                    d = d.toBuilder().reservations(d.reservations().stream()
                            .map(r -> r.toBuilder().instances(r.instances().stream().map(describeRewrite).toList()).build())
                            .toList()).build();
                    calls.add(operation + " " + d.reservations().getFirst().instances().getFirst().state().name());
                    return d;
                }
                calls.add(operation);
                return response;
            }
        };
        // The ticker moves only when the restarter pauses: deadlines are reached without waiting.
        AwsEdges aws = new AwsEdges(
                b -> b.credentialsProvider(StaticCredentialsProvider.create(DUMMY))
                        .overrideConfiguration(b.overrideConfiguration().toBuilder().addExecutionInterceptor(recorder).build()),
                b -> b.endpoint(imdsEndpoint),
                (Ticker) ticker::nanoTime,
                d -> {
                    pauses.add(d);
                    ticker.advance(d);
                });
        return new Restarters(null, null, new Restarters.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), timeouts), aws);
    }

    private Restarters restarters() {
        return restarters(new Restarters.Ec2Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(10),
                Duration.ofMinutes(3), Duration.ofSeconds(2)));
    }

    private static ServiceSpec.Ec2 spec(String instanceId, Ec2Mode mode) {
        return new ServiceSpec.Ec2(Optional.ofNullable(instanceId).map(AwsId::instance), mode, Optional.of(REGION),
                Optional.of(moto.endpoint()));
    }

    /** A new instance in moto, running. */
    private static String runInstance() {
        String id = admin.runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1))
                .instances().getFirst().instanceId();
        assertEquals(InstanceStateName.RUNNING, state(id));
        return id;
    }

    private static InstanceStateName state(String id) {
        return admin.describeInstances(r -> r.instanceIds(id)).reservations().stream()
                .map(Reservation::instances).flatMap(List::stream).findFirst().orElseThrow().state().name();
    }

    private static Instance withState(Instance i, InstanceStateName name, String reasonCode, String reasonMessage) {
        return i.toBuilder().state(s -> s.name(name))
                .stateReason(r -> r.code(reasonCode).message(reasonMessage)).build();
    }

    @Test
    void reboot_runningInstance_rebootsIt() throws Exception {
        String id = runInstance();
        Restarter r = restarters().forVm(RestartersTest.WHY, spec(id, Ec2Mode.REBOOT));
        assertEquals("ec2 RebootInstances " + id + " in " + REGION, r.describe());

        String detail = r.restart();

        // moto keeps no trace of a reboot: what it can show is that the call was made and accepted.
        assertEquals("ec2 " + id + ": DescribeInstances: running; RebootInstances: ok", detail);
        assertEquals(List.of("DescribeInstances running", "RebootInstances"), calls);
        assertEquals(InstanceStateName.RUNNING, state(id));
    }

    @Test
    void stopStart_runningInstance_goesStoppedThenRunningAgain() throws Exception {
        String id = runInstance();

        String detail = restarters().forVm(RestartersTest.WHY, spec(id, Ec2Mode.STOP_START)).restart();

        assertEquals(List.of("DescribeInstances running", "StopInstances", "DescribeInstances stopped",
                "StartInstances", "DescribeInstances running"), calls);
        assertEquals("ec2 " + id + ": DescribeInstances: running; StopInstances: running -> stopping; stopped;"
                + " StartInstances: stopped -> pending; running", detail);
        assertEquals(InstanceStateName.RUNNING, state(id));
        assertEquals(List.of(), pauses, "moto answered each wait at the first look");
    }

    @Test
    void stopStart_alreadyStopped_onlyStartsIt() throws Exception {
        String id = runInstance();
        admin.stopInstances(r -> r.instanceIds(id)); // a stop+start cut short after its stop
        assertEquals(InstanceStateName.STOPPED, state(id));

        String detail = restarters().forVm(RestartersTest.WHY, spec(id, Ec2Mode.STOP_START)).restart();

        assertEquals("ec2 " + id + ": DescribeInstances: stopped; StartInstances: stopped -> pending; running", detail);
        assertEquals(InstanceStateName.RUNNING, state(id));
    }

    @Test
    void reboot_stoppedInstance_startsIt_becauseARebootCannot() throws Exception {
        String id = runInstance();
        admin.stopInstances(r -> r.instanceIds(id));

        String detail = restarters().forVm(RestartersTest.WHY, spec(id, Ec2Mode.REBOOT)).restart();

        assertEquals(List.of("DescribeInstances stopped", "StartInstances", "DescribeInstances running"), calls);
        assertTrue(detail.endsWith("StartInstances: stopped -> pending; running"), detail);
        assertEquals(InstanceStateName.RUNNING, state(id));
    }

    @Test
    void unknownInstance_failsNamingTheInstanceTheCallAndTheAwsCode() {
        var e = assertThrows(RestartFailedException.class,
                () -> restarters().forVm(RestartersTest.WHY, spec("i-0123456789abcdef0", Ec2Mode.REBOOT)).restart());

        assertTrue(e.getMessage().startsWith("ec2 i-0123456789abcdef0: DescribeInstances failed:"
                + " InvalidInstanceID.NotFound: The instance ID 'i-0123456789abcdef0' does not exist"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; check escalate.vm.instance_id and the region (us-east-1): the instance"
                + " must exist there"), e.getMessage());
    }

    @Test
    void terminatedInstance_failsSayingToReplaceIt() {
        String id = runInstance();
        admin.terminateInstances(r -> r.instanceIds(id));

        var e = assertThrows(RestartFailedException.class,
                () -> restarters().forVm(RestartersTest.WHY, spec(id, Ec2Mode.STOP_START)).restart());

        assertEquals("ec2 " + id + ": DescribeInstances: terminated; then the instance is terminated, which cannot be"
                + " restarted; replace it and update escalate.vm.instance_id", e.getMessage());
    }

    @Test
    void stopStart_stopHangs_failsAtTheDeadline_andTheRetryFinishesTheRestart() throws Exception {
        String id = runInstance();
        describeRewrite = i -> i.state().name() == InstanceStateName.STOPPED
                ? withState(i, InstanceStateName.STOPPING, "Client.UserInitiatedShutdown", "User initiated shutdown") : i;
        Restarter r = restarters(new Restarters.Ec2Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(1),
                Duration.ofMinutes(3), Duration.ofSeconds(2))).forVm(RestartersTest.WHY, spec(id, Ec2Mode.STOP_START));

        var e = assertThrows(RestartFailedException.class, r::restart);

        assertTrue(e.getMessage().startsWith("ec2 " + id + ": DescribeInstances: running; StopInstances: running ->"
                + " stopping; then still stopping after 1m waiting for stopped (User initiated shutdown);"), e.getMessage());
        assertTrue(e.getMessage().contains("aws ec2 stop-instances --force --instance-ids " + id), e.getMessage());
        assertEquals(30, pauses.size(), "a DescribeInstances every 2s for 1m");
        assertTrue(pauses.stream().allMatch(Duration.ofSeconds(2)::equals), pauses.toString());

        // The stop went through after all: the healer's next attempt only starts the instance.
        describeRewrite = UnaryOperator.identity();
        calls.clear();
        String detail = r.restart();
        assertEquals(List.of("DescribeInstances stopped", "StartInstances", "DescribeInstances running"), calls);
        assertTrue(detail.startsWith("ec2 " + id + ": DescribeInstances: stopped; StartInstances"), detail);
        assertEquals(InstanceStateName.RUNNING, state(id));
    }

    @Test
    void stopStart_stoppingAtFirst_waitsForStoppedThenStarts() throws Exception {
        String id = runInstance();
        admin.stopInstances(r -> r.instanceIds(id));
        int[] reads = {0};
        // The first two reads say stopping, as a real stop does for a while.
        describeRewrite = i -> reads[0]++ < 2 ? withState(i, InstanceStateName.STOPPING, "", "") : i;

        String detail = restarters().forVm(RestartersTest.WHY, spec(id, Ec2Mode.STOP_START)).restart();

        assertEquals(List.of("DescribeInstances stopping", "DescribeInstances stopping", "DescribeInstances stopped",
                "StartInstances", "DescribeInstances running"), calls);
        assertEquals("ec2 " + id + ": DescribeInstances: stopping; stopped after 1 poll (2s); StartInstances: stopped"
                + " -> pending; running", detail);
    }

    @Test
    void stopStart_staleStoppedRightAfterTheStart_isNoFailure_pendingAtTheDeadlineIsAccepted() throws Exception {
        String id = runInstance();
        admin.stopInstances(r -> r.instanceIds(id));
        int[] reads = {0};
        // First read: stopped (truly). Then, after StartInstances, one stale "stopped" with the reason of
        // the stop, and pending for ever after.
        describeRewrite = i -> switch (reads[0]++) {
            case 0 -> i;
            case 1 -> withState(i, InstanceStateName.STOPPED, "Client.UserInitiatedShutdown", "User initiated shutdown");
            default -> withState(i, InstanceStateName.PENDING, "", "");
        };

        String detail = restarters(new Restarters.Ec2Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(10),
                Duration.ofSeconds(30), Duration.ofSeconds(2))).forVm(RestartersTest.WHY, spec(id, Ec2Mode.STOP_START)).restart();

        assertTrue(detail.endsWith("StartInstances: stopped -> pending; still pending after 30s, start accepted"), detail);
        assertEquals(15, pauses.size(), "a DescribeInstances every 2s for 30s");
    }

    @Test
    void stopStart_launchFails_backToStoppedWithAReason_failsWithIt() {
        String id = runInstance();
        admin.stopInstances(r -> r.instanceIds(id));
        int[] reads = {0};
        describeRewrite = i -> reads[0]++ == 0 ? i : withState(i, InstanceStateName.STOPPED, "Server.InternalError",
                "Server.InternalError: Internal error on launch");

        var e = assertThrows(RestartFailedException.class,
                () -> restarters().forVm(RestartersTest.WHY, spec(id, Ec2Mode.STOP_START)).restart());

        assertEquals("ec2 " + id + ": DescribeInstances: stopped; StartInstances: stopped -> pending; then the instance"
                + " went stopped instead of running (Server.InternalError: Internal error on launch); look at the"
                + " instance in the EC2 console (volumes, KMS key, capacity); the next attempt starts it again",
                e.getMessage());
    }

    @Test
    void noInstanceId_reboot_asksImdsV2WhichInstanceThisIs() throws Exception {
        String id = runInstance();
        List<String> imdsRequests = startImds(id);

        String detail = restarters().forVm(RestartersTest.WHY, spec(null, Ec2Mode.REBOOT)).restart();

        assertEquals("ec2 " + id + ": DescribeInstances: running; RebootInstances: ok", detail);
        // IMDSv2: a session token first (PUT with a TTL), then the GET with that token.
        assertEquals(List.of("PUT /latest/api/token ttl", "GET /latest/meta-data/instance-id token=T0KEN"), imdsRequests);
    }

    @Test
    void noInstanceId_imdsDoesNotAnswer_failsSayingToSetInstanceId() {
        var e = assertThrows(RestartFailedException.class,
                () -> restarters().forVm(RestartersTest.WHY, spec(null, Ec2Mode.REBOOT)).restart());

        assertTrue(e.getMessage().startsWith("ec2: escalate.vm has no instance_id and this host's instance metadata"
                + " (IMDSv2) did not give one: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("elsewhere set instance_id"), e.getMessage());
        assertEquals(List.of(), calls);
    }

    @Test
    void stopStart_ofTheInstanceTheAgentRunsOn_refusedBeforeTheStop() throws Exception {
        String id = runInstance();
        startImds(id); // IMDS says: this host is that very instance

        var e = assertThrows(RestartFailedException.class,
                () -> restarters().forVm(RestartersTest.WHY, spec(id, Ec2Mode.STOP_START)).restart());

        assertEquals("ec2 " + id + ": DescribeInstances: running; then refused StopInstances: " + id + " is the"
                + " instance this agent runs on, and the stop would take the agent down before it could start the"
                + " instance again; use mode: reboot, or escalate from an agent on another host", e.getMessage());
        assertEquals(List.of("DescribeInstances running"), calls);
        assertEquals(InstanceStateName.RUNNING, state(id));
    }

    @Test
    void stopStart_withoutInstanceId_refusedWithoutAnyCall_andWarnedAtStartUp() {
        ServiceSpec.Ec2 self = spec(null, Ec2Mode.STOP_START);
        String why = Restarters.notAvailable(self).orElseThrow();

        var e = assertThrows(RestartFailedException.class, () -> restarters().forVm(RestartersTest.WHY, self).restart());

        assertEquals(why, e.getMessage());
        assertTrue(why.startsWith("escalate.vm type ec2 with mode stop_start and no instance_id means the instance"
                + " this agent runs on"), why);
        assertEquals(List.of(), calls);
    }

    @Test
    void regionAndEndpointNotConfigured_comeFromTheSdkDefaults() throws Exception {
        String id = runInstance();
        // aws.region and aws.endpointUrlEc2 are read by the same SDK providers as AWS_REGION and
        // AWS_ENDPOINT_URL_EC2; system properties, unlike the environment, can be set for one test.
        String[] keys = {"aws.region", "aws.endpointUrlEc2"};
        List<String> before = new ArrayList<>();
        for (String k : keys) {
            before.add(System.getProperty(k));
        }
        System.setProperty("aws.region", REGION);
        System.setProperty("aws.endpointUrlEc2", moto.endpoint().toString());
        try {
            var spec = new ServiceSpec.Ec2(Optional.of(AwsId.instance(id)), Ec2Mode.REBOOT, Optional.empty(),
                    Optional.empty());
            assertEquals("ec2 " + id + ": DescribeInstances: running; RebootInstances: ok",
                    restarters().forVm(RestartersTest.WHY, spec).restart());
        } finally {
            for (int i = 0; i < keys.length; i++) {
                if (before.get(i) == null) {
                    System.clearProperty(keys[i]);
                } else {
                    System.setProperty(keys[i], before.get(i));
                }
            }
        }
    }

    @Test
    void endpointRefusesConnections_failsSayingWhatToCheck() {
        var spec = new ServiceSpec.Ec2(Optional.of(AwsId.instance("i-0123456789abcdef0")), Ec2Mode.REBOOT,
                Optional.of(REGION), Optional.of(URI.create("http://127.0.0.1:" + FreePorts.tcp())));

        var e = assertThrows(RestartFailedException.class,
                () -> restarters(new Restarters.Ec2Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(1),
                        Duration.ofMinutes(1), Duration.ofSeconds(1))).forVm(RestartersTest.WHY, spec).restart());

        assertTrue(e.getMessage().startsWith("ec2 i-0123456789abcdef0: DescribeInstances failed: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; check that this host reaches the EC2 endpoint (escalate.vm.endpoint,"
                + " AWS_ENDPOINT_URL_EC2, or the region's) and any proxy between"), e.getMessage());
    }

    /** A minimal IMDSv2 on 127.0.0.1: PUT /latest/api/token, then GET instance-id with that token. */
    private List<String> startImds(String instanceId) throws IOException {
        List<String> requests = new CopyOnWriteArrayList<>();
        imdsServer = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
        imdsServer.createContext("/latest/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String method = exchange.getRequestMethod();
                String body;
                int status;
                if (method.equals("PUT") && path.equals("/latest/api/token")
                        && exchange.getRequestHeaders().containsKey("X-aws-ec2-metadata-token-ttl-seconds")) {
                    requests.add("PUT " + path + " ttl");
                    exchange.getResponseHeaders().add("X-aws-ec2-metadata-token-ttl-seconds",
                            exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds"));
                    status = 200;
                    body = "T0KEN";
                } else if (method.equals("GET") && path.equals("/latest/meta-data/instance-id")) {
                    String token = exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
                    requests.add("GET " + path + " token=" + token);
                    status = "T0KEN".equals(token) ? 200 : 401;
                    body = status == 200 ? instanceId : "";
                } else {
                    requests.add(method + " " + path);
                    status = 404;
                    body = "";
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        imdsServer.start();
        imdsEndpoint = URI.create("http://127.0.0.1:" + imdsServer.getAddress().getPort());
        return requests;
    }
}
