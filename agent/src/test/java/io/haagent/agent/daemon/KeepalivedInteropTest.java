package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.testkit.Keepalived;
import io.haagent.testkit.NetnsLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * haagent and Debian's keepalived in one unicast pair, over the ip transport, both directions, VRRP v2
 * and v3: what an operator sees while replacing keepalived on one node of a live pair.
 */
class KeepalivedInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private NetnsLab lab;
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeEach
    void lab() throws Exception {
        Keepalived.unavailableReason().ifPresent(why -> Assumptions.abort("keepalived interop skipped: " + why));
        lab = NetnsLab.create(2);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private String vip() {
        return lab.subnetPrefix() + "100";
    }

    /** "v2", "v3" or "v2+pass": the VRRP version, and keepalived's auth_pass on both ends. */
    private static int version(String wire) {
        return wire.startsWith("v2") ? 2 : 3;
    }

    private static final String PASSWORD = "s3cret-pw"; // 9 bytes: both ends send the first 8, as keepalived does

    private Keepalived keepalived(int i, int priority, String wire) throws Exception {
        NetnsLab.Host me = lab.host(i);
        int version = version(wire);
        String auth = wire.endsWith("+pass") ? "authentication {\n        auth_type PASS\n        auth_pass " + PASSWORD
                + "\n    }" : "";
        Keepalived k = Keepalived.start(me, Files.createDirectories(dir.resolve("keepalived" + i)), """
                vrrp_instance VI_1 {
                    state BACKUP
                    interface %s
                    virtual_router_id 51
                    priority %d
                    advert_int 1
                    version %d
                    unicast_src_ip %s
                    unicast_peer {
                        %s
                    }
                    virtual_ipaddress {
                        %s/%d dev %s
                    }
                    %s
                    @NOTIFY@
                }
                """.formatted(me.iface(), priority, version, me.address(), lab.host(1 - i).address(), vip(),
                me.prefixLength(), me.iface(), auth));
        running.add(k);
        return k;
    }

    private VrrpNode haagent(int i, int priority, String wire) throws Exception {
        NetnsLab.Host me = lab.host(i);
        int version = version(wire);
        String auth = "";
        if (wire.endsWith("+pass")) {
            Path pw = dir.resolve("vrrp" + i + ".pass");
            Files.writeString(pw, PASSWORD + "\n");
            Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            auth = "auth: { type: pass, password_file: \"" + pw + "\" }";
        }
        VrrpNode n = VrrpNode.start("haagent" + i, me, dir, "redis-vip", """
                vrid: 51
                priority: %d
                advert_interval: 1s
                version: %d
                transport: ip
                interface: %s
                unicast: { source: %s, peers: [%s] }
                addresses: [%s]
                %s
                @NOTIFY@
                """.formatted(priority, version, me.iface(), me.address(), lab.host(1 - i).address(), vip(), auth));
        running.add(n);
        return n;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v2", "v3", "v2+pass"})
    void keepalivedMaster_haagentBackup_keepalivedKilled_haagentTakesOver(String wire) throws Exception {
        Keepalived k = keepalived(0, 150, wire);
        k.awaitState("MASTER", WAIT);
        VrrpNode h = haagent(1, 100, wire);
        h.awaitState("BACKUP", WAIT);
        h.awaitMaster(lab.host(0).address(), WAIT); // haagent names keepalived as its master
        // haagent must not take over while keepalived is alive: hold for several advert intervals.
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < until) {
            assertEquals("BACKUP", h.state().orElseThrow(), "haagent stays BACKUP under a live keepalived master\n" + h.log());
            Thread.sleep(100);
        }

        k.kill();
        h.awaitState("MASTER", WAIT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v2", "v3", "v2+pass"})
    void haagentMaster_keepalivedBackup_keepalivedStaysBackupAndKnowsTheMaster(String wire) throws Exception {
        VrrpNode h = haagent(0, 150, wire);
        h.awaitState("MASTER", WAIT);
        Keepalived k = keepalived(1, 100, wire);
        k.awaitState("BACKUP", WAIT);
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < until) {
            assertEquals("BACKUP", k.state().orElseThrow(), "keepalived stays BACKUP under a haagent master\n" + k.log());
            assertEquals("MASTER", h.state().orElseThrow(), "haagent stays MASTER\n" + h.log());
            Thread.sleep(100);
        }
        assertEquals(lab.host(0).address(), k.masterAddress().orElse("(none)"), "keepalived reports haagent as its master");

        h.stop(); // priority 0: keepalived takes over after the skew time
        k.awaitState("MASTER", WAIT);
    }
}
