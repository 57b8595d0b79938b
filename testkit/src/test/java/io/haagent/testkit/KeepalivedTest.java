package io.haagent.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeepalivedTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @BeforeAll
    static void needsKeepalived() {
        Keepalived.unavailableReason().ifPresent(why -> Assumptions.abort("keepalived tests skipped: " + why));
    }

    /** One v2 unicast instance towards the other host; the notify line is placed by token or added. */
    private static String instance(NetnsLab lab, int i, int priority, boolean token) {
        NetnsLab.Host me = lab.host(i);
        return """
                vrrp_instance VI_1 {
                    state BACKUP
                    interface %s
                    virtual_router_id 51
                    priority %d
                    advert_int 1
                    version 2
                    unicast_src_ip %s
                    unicast_peer {
                        %s
                    }
                    virtual_ipaddress {
                        %s100/24 dev %s
                    }
                    %s
                }
                """.formatted(me.iface(), priority, me.address(), lab.host(1 - i).address(), lab.subnetPrefix(),
                me.iface(), token ? Keepalived.NOTIFY_TOKEN : "");
    }

    private static boolean hasVip(NetnsLab lab, int i) throws IOException {
        return lab.host(i).exec("ip", "-4", "addr", "show", "dev", "eth0").contains("inet " + lab.subnetPrefix() + "100/24");
    }

    @Test
    void higherPriorityBecomesMasterWithTheVip_killedMaster_backupTakesOver_closeLeavesNothing() throws Exception {
        Path d0 = dir.resolve("k0");
        Path d1 = dir.resolve("k1");
        List<String> namespaces;
        List<ProcessHandle> processes;
        try (NetnsLab lab = NetnsLab.create(2);
             Keepalived k0 = Keepalived.start(lab.host(0), d0, instance(lab, 0, 150, true))) {
            namespaces = List.of(lab.host(0).namespace(), lab.host(1).namespace(), lab.switchNamespace());
            k0.awaitState("MASTER", WAIT);
            assertTrue(hasVip(lab, 0), "the master holds the VIP");
            try (Keepalived k1 = Keepalived.start(lab.host(1), d1, instance(lab, 1, 100, false))) {
                assertEquals("BACKUP", k1.state().orElseThrow(), k1.log());
                assertTrue(Files.readString(k1.configFile()).contains("notify \""), "notify added without the token");
                // It knows the master once an advert came (one advert_int at most after it started).
                Eventually.within(Duration.ofSeconds(3), "k1 to know a master", () -> k1.masterAddress().isPresent());
                assertEquals(lab.host(0).address(), k1.masterAddress().orElse("(none)"), "the backup knows the master");
                assertFalse(hasVip(lab, 1));

                processes = ProcessHandle.allProcesses().filter(p -> ours(p, d0, d1)).toList();
                assertTrue(processes.size() >= 4, "two parents and two VRRP children: " + processes);

                // kill() relies on it: one signal to the group reaches the VRRP child with the parent.
                String stat = Files.readString(Path.of("/proc/" + k0.pid() + "/stat"));
                assertEquals(Long.toString(k0.pid()), stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2],
                        "keepalived leads its own process group");
                k0.kill();
                assertFalse(k0.isRunning());
                k1.awaitState("MASTER", WAIT);
                assertTrue(hasVip(lab, 1), "the new master holds the VIP");
                assertEquals("MASTER", k0.state().orElseThrow(), "a killed keepalived records nothing more");

                k1.stop();
                assertEquals("STOP", k1.state().orElseThrow(), "a graceful stop is recorded");
                assertFalse(hasVip(lab, 1), "a graceful stop drops the VIP");
                List<Map.Entry<Long, String>> t = k1.transitions();
                assertEquals(List.of("BACKUP", "MASTER", "STOP"), t.stream().map(Map.Entry::getValue).toList());
                assertTrue(t.get(0).getKey() <= t.get(1).getKey() && t.get(1).getKey() <= t.get(2).getKey(), t.toString());
                assertFalse(k1.log().isEmpty());
            }
        }
        for (ProcessHandle p : processes) {
            assertFalse(p.isAlive(), "pid " + p.pid() + " outlived close()");
        }
        assertEquals(List.of(), ProcessHandle.allProcesses().filter(p -> ours(p, d0, d1)).toList());
        List<String> left = NetnsLab.existing();
        for (String n : namespaces) {
            assertFalse(left.contains(n), n + " outlived close()");
        }
    }

    private static boolean ours(ProcessHandle p, Path... dirs) {
        String cmd = p.info().commandLine().orElse("");
        for (Path d : dirs) {
            if (cmd.contains("keepalived") && cmd.contains(d.toString())) {
                return true;
            }
        }
        return false;
    }
}
