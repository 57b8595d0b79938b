package io.haagent.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NetnsLabTest {

    @BeforeAll
    static void needsNamespaces() {
        NetnsLab.unavailableReason().ifPresent(why -> Assumptions.abort("network namespace tests skipped: " + why));
    }

    /**
     * Whether {@code from} gets an answer from {@code address}: a TCP connect to a closed port is
     * refused (an RST came back) when the host is there, and times out when it is cut off. Needs
     * only bash, no ping or listener.
     */
    private static boolean reaches(NetnsLab.Host from, String address) throws IOException {
        try {
            from.exec("timeout", "1", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/9");
            return true; // something listens on the discard port: reachable too
        } catch (IOException e) {
            if (e.getMessage().contains("Connection refused")) {
                return true;
            }
            return false;
        }
    }

    private static List<String> rootLinks() throws IOException {
        return NetnsLab.ip("-o", "link", "show").lines().map(l -> l.split(":")[1].strip()).sorted().toList();
    }

    @Test
    void twoHosts_addressesAndReachability_linkDownAndUp_closeRemovesEverything() throws Exception {
        List<String> rootBefore = rootLinks();
        List<String> names;
        NetnsLab lab = NetnsLab.create(2);
        try (lab) {
            assertEquals(2, lab.hosts().size());
            assertTrue(lab.subnetPrefix().matches("10\\.\\d+\\.\\d+\\."), lab.subnetPrefix());
            for (int i = 0; i < 2; i++) {
                NetnsLab.Host h = lab.host(i);
                assertEquals(lab.subnetPrefix() + (i + 1), h.address());
                assertEquals("eth0", h.iface());
                assertEquals(24, h.prefixLength());
                String addr = NetnsLab.ip("-n", h.namespace(), "-4", "addr", "show", "dev", "eth0");
                assertTrue(addr.contains("inet " + h.address() + "/24"), addr);
                assertTrue(h.exec("ip", "-o", "link", "show", "lo").contains("UP"), "lo is up in " + h.namespace());
            }
            assertEquals(rootBefore, rootLinks(), "nothing appears in the root namespace");

            assertTrue(reaches(lab.host(0), lab.host(1).address()), "host 0 reaches host 1");
            lab.linkDown(1);
            assertFalse(reaches(lab.host(0), lab.host(1).address()), "host 1 is cut off");
            lab.linkUp(1);
            assertTrue(reaches(lab.host(0), lab.host(1).address()), "host 1 is back");

            names = List.of(lab.host(0).namespace(), lab.host(1).namespace(), lab.switchNamespace());
            assertTrue(NetnsLab.existing().containsAll(names));
        }
        List<String> after = NetnsLab.existing();
        for (String n : names) {
            assertFalse(after.contains(n), n + " outlived close()");
        }
        lab.close(); // twice is fine
    }

    @Test
    void threeHosts_allReachEachOther_labsGetDistinctSubnets() throws Exception {
        try (NetnsLab lab = NetnsLab.create(3); NetnsLab other = NetnsLab.create(2)) {
            assertNotEquals(lab.subnetPrefix(), other.subnetPrefix());
            assertEquals(lab.subnetPrefix() + "3", lab.host(2).address());
            assertTrue(reaches(lab.host(2), lab.host(0).address()));
            assertTrue(reaches(lab.host(2), lab.host(1).address()));
            assertTrue(reaches(lab.host(0), lab.host(2).address()));
            assertFalse(reaches(lab.host(0), other.host(1).address()), "labs are isolated");
        }
    }

    @Test
    void exec_nonZeroExit_throwsWithStderr() throws Exception {
        try (NetnsLab lab = NetnsLab.create(2)) {
            IOException e = assertThrows(IOException.class, () -> lab.host(0).exec("sh", "-c", "echo oops >&2; exit 3"));
            assertTrue(e.getMessage().contains("oops"), e.getMessage());
            assertEquals("hi\n", lab.host(0).exec("echo", "hi"));
        }
    }

    @Test
    void removeLeftovers_deletesTheNamespacesOfADeadPid_andKillsWhatRunsInThem() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        String base = "hat" + gone.pid() + "-0-";
        NetnsLab.ip("netns", "add", base + "sw");
        NetnsLab.ip("netns", "add", base + "0");
        Process orphan = new ProcessBuilder("ip", "netns", "exec", base + "0", "sleep", "60").start();
        try {
            assertTrue(NetnsLab.existing().contains(base + "0"));
            Eventually.within(Duration.ofSeconds(5), "the orphan in " + base + "0",
                    () -> !NetnsLab.ip("netns", "pids", base + "0").isBlank());
            NetnsLab.removeLeftovers();
            List<String> after = NetnsLab.existing();
            assertFalse(after.contains(base + "sw"), after.toString());
            assertFalse(after.contains(base + "0"), after.toString());
            assertTrue(orphan.waitFor(5, TimeUnit.SECONDS), "the process in the leftover namespace was killed");
        } finally {
            orphan.destroyForcibly();
            for (String n : List.of(base + "sw", base + "0")) {
                try {
                    NetnsLab.ip("netns", "del", n);
                } catch (IOException e) {
                    // already gone, as it should be
                }
            }
        }
    }
}
