package io.haagent.failover.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.aws.AwsEdges;
import io.haagent.aws.ImdsIdentity;
import io.haagent.config.AwsId;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.step.TimedStep;
import io.haagent.testkit.Ec2Endpoint;
import io.haagent.testkit.FakeTicker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The secondary-IP mover against the in-test EC2 endpoint, which enforces reassignment as EC2 does (the
 * address leaves the other ENI). {@code ip} is a fake that keeps the host's addresses in a set: the real
 * command is exercised by {@link LocalAddressNetnsTest}, in namespaces, never on this machine's interfaces.
 */
class SecondaryIpMoverEndpointTest {
    private static final String VIP = "10.0.1.100";

    private final Ec2Endpoint ec2 = Ec2Endpoint.start();
    private final FakeTicker ticker = new FakeTicker();
    private final String a = ec2.addInstance();
    private final String b = ec2.addInstance();
    private final String eniA = ec2.addEni("10.0.1.10");
    private final String eniB = ec2.addEni("10.0.1.11");
    /** The fake host's addresses, as "10.0.1.100/32 dev eth1". */
    private final Set<String> onHost = new java.util.LinkedHashSet<>();
    private final List<String> ipCalls = new CopyOnWriteArrayList<>();

    @TempDir
    Path sys;

    @AfterEach
    void stop() {
        ec2.close();
    }

    /** iproute2's answers, as far as the mover reads them. */
    private IpCommand.Result fakeIp(List<String> args) {
        ipCalls.add(String.join(" ", args));
        if (args.get(0).equals("addr") && args.size() == 5) {
            String entry = args.get(2) + " dev " + args.get(4);
            if (args.get(1).equals("add")) {
                return onHost.add(entry) ? new IpCommand.Result(0, "", "")
                        : new IpCommand.Result(2, "", "RTNETLINK answers: File exists");
            }
            return onHost.remove(entry) ? new IpCommand.Result(0, "", "")
                    : new IpCommand.Result(2, "", "RTNETLINK answers: Cannot assign requested address");
        }
        if (args.equals(List.of("-o", "-4", "addr", "show", "to", VIP + "/32"))) {
            List<String> lines = new ArrayList<>();
            for (String e : onHost) {
                String[] f = e.split(" ");
                lines.add("3: " + f[2] + "    inet " + f[0] + " scope global " + f[2] + "\\       valid_lft forever");
            }
            return new IpCommand.Result(0, String.join("\n", lines), "");
        }
        throw new AssertionError("unexpected ip " + args);
    }

    private AddressMover mover(String eni, Optional<String> iface) {
        ec2.imdsInstanceId(b);
        Edges edges = new Edges(new AwsEdges(builder -> builder.credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create("testing", "testing"))), m -> { }, ticker::nanoTime, ticker::advance),
                InstanceIdentity.imds(new ImdsIdentity(m -> m.endpoint(ec2.endpoint()))), this::fakeIp,
                new NetDevices(sys), null);
        var spec = new VrrpInstance.SecondaryIp(Ipv4.parse(VIP), AwsId.eni(eni), iface, Optional.of("us-east-1"),
                Optional.of(ec2.endpoint()));
        return AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edges);
    }

    @Test
    void heldByTheOtherInstance_reassignedToOurEni_andAddedAsSlash32() throws Exception {
        ec2.attach(eniA, a, 0);
        ec2.attach(eniB, b, 0);
        ec2.assignIp(eniA, VIP);

        MoveResult r = mover(eniB, Optional.of("eth0")).acquire();

        assertEquals(List.of("10.0.1.10"), ec2.eniView(eniA).privateIps(), "reassignment took it from a's ENI");
        assertEquals(List.of("10.0.1.11", VIP), ec2.eniView(eniB).privateIps());
        var assign = ec2.calls("AssignPrivateIpAddresses").getFirst();
        assertEquals(eniB, assign.param("NetworkInterfaceId"));
        assertEquals(VIP, assign.param("PrivateIpAddress.1"));
        assertEquals("true", assign.param("AllowReassignment"));
        assertEquals(List.of("addr add " + VIP + "/32 dev eth0"), ipCalls);
        assertEquals(List.of("AssignPrivateIpAddresses to " + eniB + " with AllowReassignment",
                "ip addr add " + VIP + "/32 dev eth0"), r.steps().stream().map(TimedStep::what).toList());
        assertEquals("secondary_ip " + VIP + ": moved to this instance " + b + " (" + eniB + ", eth0) in 0ms",
                r.sentence());

        ec2.clearCalls();
        MoveResult again = mover(eniB, Optional.of("eth0")).acquire();
        assertEquals(List.of("DescribeNetworkInterfaces"), ec2.actions(), "idempotent: no second assign");
        assertFalse(again.changed());
        assertEquals("secondary_ip " + VIP + ": was already on this instance " + b + " (" + eniB + ", eth0); nothing"
                + " to do", again.sentence());
    }

    @Test
    void noInterfaceConfigured_usesTheOneWithTheEnisMac_andReleaseFindsItOnTheHost() throws Exception {
        ec2.attach(eniB, b, 1);
        Files.createDirectories(sys.resolve("eth0"));
        Files.writeString(sys.resolve("eth0/address"), "02:aa:bb:cc:dd:ee\n");
        Files.createDirectories(sys.resolve("ens6"));
        Files.writeString(sys.resolve("ens6/address"), ec2.eniView(eniB).macAddress().toUpperCase() + "\n");

        mover(eniB, Optional.empty()).acquire();
        assertEquals(Set.of(VIP + "/32 dev ens6"), onHost);

        MoveResult released = mover(eniB, Optional.empty()).release();
        assertEquals(Set.of(), onHost);
        assertEquals("secondary_ip " + VIP + ": removed from this host; the new master's assign moves it in EC2",
                released.sentence());
        assertEquals(List.of("AssignPrivateIpAddresses"), ec2.calls().stream().map(Ec2Endpoint.Call::action)
                .filter(x -> !x.startsWith("Describe")).toList(), "the release made no EC2 call");
        assertEquals("secondary_ip " + VIP + ": was not on this host; nothing to do",
                mover(eniB, Optional.empty()).release().sentence());
    }

    @Test
    void eniOfAnotherInstance_refusedWithoutAssigning() {
        ec2.attach(eniA, a, 0);

        var e = assertThrows(AddressMoveException.class, () -> mover(eniA, Optional.of("eth0")).acquire());

        assertEquals("secondary_ip " + VIP + ": " + eniA + " is attached to " + a + ", not to this instance " + b
                + "; on_master.address.secondary_ip.eni must be this host's own ENI (each host's config names its"
                + " own)", e.getMessage());
        assertTrue(ec2.calls("AssignPrivateIpAddresses").isEmpty());
        assertTrue(ipCalls.isEmpty());
    }
}
