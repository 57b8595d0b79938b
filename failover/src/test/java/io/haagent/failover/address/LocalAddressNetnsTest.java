package io.haagent.failover.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.aws.AwsEdges;
import io.haagent.config.Cidr;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.failover.step.TimedStep;
import io.haagent.testkit.NetnsLab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code local} between two hosts of a {@link NetnsLab}: the address moves, and the other host's
 * neighbour table follows at once because of the gratuitous ARP, not because it asked. The mover's
 * {@code ip} runs as {@code ip -n <host ns>}; the packet socket must be opened inside the namespace, so
 * the announcements are sent by {@link GarpMain} under {@code ip netns exec} — the same
 * {@link GratuitousArp#sendOne} the agent calls in-process.
 */
class LocalAddressNetnsTest {

    @BeforeAll
    static void needsNamespaces() {
        NetnsLab.unavailableReason().ifPresent(why -> Assumptions.abort("network namespace tests skipped: " + why));
    }

    /** Runs the GARPs in the host's namespace and waits for them: 3 frames 100 ms apart. */
    private static Announcer inNamespace(NetnsLab.Host host) {
        return new Announcer() {
            @Override
            public String announce(Ipv4 address, String iface) throws IOException {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                String out = host.exec(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                        System.getProperty("java.class.path"), GarpMain.class.getName(), iface, address.toString(),
                        "3", "100");
                return "gratuitous ARP for " + address + " on " + iface + ": " + out.strip();
            }

            @Override
            public void cancel(Ipv4 address) {
                // GarpMain has finished before announce returns: nothing is pending
            }
        };
    }

    private static AddressMover mover(NetnsLab.Host host, Cidr vip) {
        Edges edges = new Edges(AwsEdges.SYSTEM, () -> {
            throw new AssertionError("local needs no instance id");
        }, IpCommand.subprocess(List.of(IpCommand.binary(), "-n", host.namespace())),
                NetDevices.SYSFS, inNamespace(host));
        return AddressMovers.of(new VrrpInstance.LocalAddress(vip, host.iface()), AddressMovers.Timeouts.DEFAULT,
                edges);
    }

    /** The MAC this host's neighbour table has for the address, or "" — polled briefly: ARP is processed async. */
    private static String neighbourMac(NetnsLab.Host h, Ipv4 address, String expected) throws Exception {
        String mac = "";
        for (int i = 0; i < 50 && !(mac = h.neighbourMac(address.toString())).equals(expected); i++) {
            Thread.sleep(20);
        }
        return mac;
    }

    private static boolean holds(NetnsLab.Host h, Cidr vip) throws IOException {
        return h.exec("ip", "-4", "-o", "addr", "show", "dev", h.iface()).contains("inet " + vip + " ");
    }

    @Test
    void acquireOnHost0_neighbourLearnsHost0sMac_moveToHost1_neighbourSwitches_reacquireIsIdempotent()
            throws Exception {
        try (NetnsLab lab = NetnsLab.create(2)) {
            NetnsLab.Host h0 = lab.host(0);
            NetnsLab.Host h1 = lab.host(1);
            for (NetnsLab.Host h : lab.hosts()) {
                // arp_accept: a gratuitous ARP may create a neighbour entry, not only update one
                h.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/conf/all/arp_accept; echo 1 >"
                        + " /proc/sys/net/ipv4/conf/" + h.iface() + "/arp_accept");
            }
            Cidr vip = Cidr.parse(lab.subnetPrefix() + "100/24");
            Ipv4 ip = vip.address();
            AddressMover on0 = mover(h0, vip);
            AddressMover on1 = mover(h1, vip);
            assertEquals("", neighbourMac(h1, ip, "none"), "nobody has announced it yet");

            MoveResult r0 = on0.acquire();

            assertTrue(holds(h0, vip));
            assertEquals(h0.mac(), neighbourMac(h1, ip, h0.mac()), "host 1 learnt host 0's MAC from the GARP");
            assertEquals("local " + vip + " on eth0: added and announced by gratuitous ARP", r0.sentence());
            assertEquals(List.of("ip addr add " + vip + " dev eth0", "gratuitous ARP for " + ip + " on eth0: sent 3"),
                    r0.steps().stream().map(TimedStep::what).toList());

            MoveResult released = on0.release();
            MoveResult r1 = on1.acquire();

            assertFalse(holds(h0, vip));
            assertTrue(holds(h1, vip));
            assertEquals("local " + vip + " on eth0: removed", released.sentence());
            assertTrue(r1.changed());
            assertEquals(h1.mac(), neighbourMac(h0, ip, h1.mac()), "host 0 now sends to host 1's MAC");

            MoveResult again = on1.acquire();
            assertFalse(again.changed());
            assertTrue(again.sentence().startsWith("local " + vip + " on eth0: was already there and announced"),
                    again.sentence());
            assertEquals(1, h1.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0").lines()
                    .filter(l -> l.contains("inet " + vip + " ")).count());
            assertEquals("local " + vip + " on eth0: was not there; nothing to do", on0.release().sentence());
        }
    }

    @Test
    void missingInterface_failsSayingWhatToCheck() throws Exception {
        try (NetnsLab lab = NetnsLab.create(2)) {
            NetnsLab.Host h0 = lab.host(0);
            Edges edges = new Edges(AwsEdges.SYSTEM, () -> "i-0",
                    IpCommand.subprocess(List.of(IpCommand.binary(), "-n", h0.namespace())), NetDevices.SYSFS,
                    inNamespace(h0));
            var spec = new VrrpInstance.LocalAddress(Cidr.parse(lab.subnetPrefix() + "100/24"), "eth9");
            var e = org.junit.jupiter.api.Assertions.assertThrows(AddressMoveException.class,
                    () -> AddressMovers.of(spec, AddressMovers.Timeouts.DEFAULT, edges).acquire());
            assertTrue(e.getMessage().contains("there is no interface eth9 on this host: check the interface in the"
                    + " config"), e.getMessage());
        }
    }
}
