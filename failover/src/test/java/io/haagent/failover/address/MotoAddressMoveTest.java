package io.haagent.failover.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.aws.AwsEdges;
import io.haagent.config.AwsId;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.testkit.FakeTicker;
import io.haagent.testkit.MotoServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;

/**
 * The happy paths against moto_server, a real third-party implementation of the EC2 API: two instances,
 * an ENI or a secondary IP moving from A to B. moto's IMDS does not do the SDK's IMDSv2 token
 * handshake, so the mover is told it runs on B ({@link InstanceIdentity#fixed}); IMDS is tested against
 * the in-test endpoint ({@link EniMoverEndpointTest}).
 */
class MotoAddressMoveTest {
    private static final String REGION = "us-east-1";
    private static final AwsBasicCredentials DUMMY = AwsBasicCredentials.create("testing", "testing");

    static MotoServer moto;
    static Ec2Client admin; // the test's own client: sets the scene, reads the outcome

    private final FakeTicker ticker = new FakeTicker();
    private final List<String> ipCalls = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.start();
        admin = Ec2Client.builder().endpointOverride(moto.endpoint()).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(DUMMY))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
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

    private Edges edgesFor(String instanceId) {
        return new Edges(new AwsEdges(b -> b.credentialsProvider(StaticCredentialsProvider.create(DUMMY)), m -> { },
                ticker::nanoTime, ticker::advance), InstanceIdentity.fixed(instanceId),
                args -> {
                    ipCalls.add(String.join(" ", args));
                    return new IpCommand.Result(0, "", "");
                }, NetDevices.SYSFS, null);
    }

    private static Instance runInstance() {
        String ami = admin.describeImages(r -> { }).images().getFirst().imageId();
        return admin.runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1))
                .instances().getFirst();
    }

    private static NetworkInterface eni(String id) {
        return admin.describeNetworkInterfaces(r -> r.networkInterfaceIds(id)).networkInterfaces().getFirst();
    }

    @Test
    void eni_attachedToA_acquireOnB_attachedToBAtItsDeviceIndex() throws Exception {
        Instance a = runInstance();
        Instance b = runInstance();
        String eniId = admin.createNetworkInterface(r -> r.subnetId(a.subnetId())).networkInterface()
                .networkInterfaceId();
        admin.attachNetworkInterface(r -> r.networkInterfaceId(eniId).instanceId(a.instanceId()).deviceIndex(1));
        assertEquals(a.instanceId(), eni(eniId).attachment().instanceId());

        var spec = new VrrpInstance.Eni(AwsId.eni(eniId), 1, Optional.of(REGION), Optional.of(moto.endpoint()),
                Duration.ofSeconds(10));
        MoveResult r = AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edgesFor(b.instanceId())).acquire();

        NetworkInterface after = eni(eniId);
        assertEquals(b.instanceId(), after.attachment().instanceId());
        assertEquals(1, after.attachment().deviceIndex());
        assertTrue(r.changed());
        assertTrue(r.sentence().startsWith("eni " + eniId + ": moved from " + a.instanceId() + " to this instance "
                + b.instanceId() + " at device index 1 in "), r.sentence());
        assertEquals("DetachNetworkInterface from " + a.instanceId(), r.steps().getFirst().what());

        MoveResult again = AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edgesFor(b.instanceId())).acquire();
        assertEquals(false, again.changed(), again.sentence());
    }

    /** Issue 14: an acquire under a ZooKeeper lease tags the ENI with the lease's epoch, also when it was already here. */
    @Test
    void eni_acquireUnderALease_tagsTheEniWithTheEpoch() throws Exception {
        Instance a = runInstance();
        Instance b = runInstance();
        String eniId = admin.createNetworkInterface(r -> r.subnetId(a.subnetId())).networkInterface()
                .networkInterfaceId();
        admin.attachNetworkInterface(r -> r.networkInterfaceId(eniId).instanceId(a.instanceId()).deviceIndex(1));
        var spec = new VrrpInstance.Eni(AwsId.eni(eniId), 1, Optional.of(REGION), Optional.of(moto.endpoint()),
                Duration.ofSeconds(10));

        MoveResult r = AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edgesFor(b.instanceId())).acquire(0x2c);

        assertEquals(b.instanceId(), eni(eniId).attachment().instanceId());
        assertTrue(r.sentence().endsWith("; tagged haagent:lease-epoch=0x2c"), r.sentence());
        assertEquals(List.of("0x2c"), eni(eniId).tagSet().stream().filter(t -> t.key().equals("haagent:lease-epoch"))
                .map(t -> t.value()).toList());

        MoveResult again = AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edgesFor(b.instanceId())).acquire(0x2d);
        assertEquals(false, again.changed(), again.sentence());
        assertTrue(again.sentence().endsWith("nothing to do; tagged haagent:lease-epoch=0x2d"), again.sentence());
        assertEquals(List.of("0x2d"), eni(eniId).tagSet().stream().filter(t -> t.key().equals("haagent:lease-epoch"))
                .map(t -> t.value()).toList());
    }

    @Test
    void secondaryIp_onAsEni_acquireOnB_assignedToBsEni_andAddedToTheInterface() throws Exception {
        Instance a = runInstance();
        Instance b = runInstance();
        String eniA = a.networkInterfaces().getFirst().networkInterfaceId();
        String eniB = b.networkInterfaces().getFirst().networkInterfaceId();
        String vip = "172.31.200.10"; // in moto's default VPC 172.31.0.0/16
        admin.assignPrivateIpAddresses(r -> r.networkInterfaceId(eniA).privateIpAddresses(vip));

        var spec = new VrrpInstance.SecondaryIp(Ipv4.parse(vip), AwsId.eni(eniB), Optional.of("eth0"),
                Optional.of(REGION), Optional.of(moto.endpoint()));
        MoveResult r = AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edgesFor(b.instanceId())).acquire();

        // moto's reassignment is loose: it adds the address to B's ENI and leaves A's as it was (the
        // in-test endpoint checks the removal, as EC2 does it).
        assertTrue(eni(eniB).privateIpAddresses().stream().map(NetworkInterfacePrivateIpAddress::privateIpAddress)
                .anyMatch(vip::equals), eni(eniB).privateIpAddresses().toString());
        assertEquals(List.of("addr add " + vip + "/32 dev eth0"), ipCalls);
        assertEquals("secondary_ip " + vip + ": moved to this instance " + b.instanceId() + " (" + eniB + ", eth0)"
                + " in 0ms", r.sentence());
    }
}
