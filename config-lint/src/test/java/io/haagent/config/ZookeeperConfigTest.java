package io.haagent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ZookeeperConfigTest {
    @Test
    void connect_keepsServersAndChroot() {
        ZookeeperConnect c = ZookeeperConnect.parse("zk1:2181,zk2:2182/haagent/prod");
        assertEquals(List.of(new HostPort("zk1", 2181), new HostPort("zk2", 2182)), c.servers());
        assertEquals(Optional.of("/haagent/prod"), c.chroot());
        assertEquals("zk1:2181,zk2:2182/haagent/prod", c.toString());
    }

    /** ZooKeeper's ConnectStringParser: a server without a port (or with a bare colon) uses 2181; "/" is no chroot. */
    @Test
    void connect_acceptsWhatZookeeperAccepts() {
        ZookeeperConnect c = ZookeeperConnect.parse(" zk1 , zk2:,10.0.0.3:2888/");
        assertEquals(List.of(new HostPort("zk1", 2181), new HostPort("zk2", 2181), new HostPort("10.0.0.3", 2888)),
                c.servers());
        assertEquals(Optional.empty(), c.chroot());
    }

    @Test
    void connect_sameEnsemble_ignoresOrderButNotChroot() {
        ZookeeperConnect a = ZookeeperConnect.parse("zk1:2181,zk2:2181/h");
        assertTrue(a.sameEnsemble(ZookeeperConnect.parse("zk2,zk1:2181/h")));
        assertTrue(!a.sameEnsemble(ZookeeperConnect.parse("zk1:2181,zk2:2181")));
        assertTrue(!a.sameEnsemble(ZookeeperConnect.parse("zk1:2181,zk3:2181/h")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "zk1:2181,,zk2:2181|empty server",
        "zk1:99999|bad port",
        "zk_1:2181|bad host",
        "zk1:2181/haagent/|chroot",
        "zk1:2181/a//b|chroot",
        "zk1:2181/a/../b|chroot",
        "/haagent|no server",
    })
    void connect_rejectsWithWhereAndWhatToWrite(String text, String says) {
        var e = assertThrows(IllegalArgumentException.class, () -> ZookeeperConnect.parse(text));
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertTrue(e.getMessage().contains("zk1:2181,zk2:2181"), "says what to write: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/haagent", "/a/b.c/d", "/a/..b"})
    void znodePath_acceptsAbsolutePaths(String path) {
        assertEquals(path, ZnodePath.check(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"haagent", "/", "/haagent/", "/a//b", "/a/./b", "/a/..", "", "/a/b\u0000"})
    void znodePath_rejectsWhatZookeeperRejects(String path) {
        var e = assertThrows(IllegalArgumentException.class, () -> ZnodePath.check(path));
        assertTrue(e.getMessage().contains("like /haagent"), e.getMessage());
    }

    @Test
    void leaseNode_isThePathLeaseVridAndName() {
        ZookeeperConfig zk = new ZookeeperConfig(ZookeeperConnect.parse("zk1:2181"), Duration.ofSeconds(10),
                List.of("redis-vip"), "/haagent");
        assertEquals("/haagent/lease/51-redis-vip", zk.leaseNode(51, "redis-vip"));
    }
}
