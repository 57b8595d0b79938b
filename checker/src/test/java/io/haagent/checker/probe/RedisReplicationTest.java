package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.checker.probe.RedisReplication.Role;
import io.haagent.config.HostPort;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** Parsing ROLE and INFO replication as Redis 7 writes them. */
class RedisReplicationTest {
    private static final String MASTER_INFO = """
            # Replication\r
            role:master\r
            connected_slaves:2\r
            slave0:ip=10.0.1.11,port=6379,state=online,offset=5210,lag=0\r
            slave1:ip=10.0.1.12,port=6380,state=wait_bgsave,offset=0,lag=1\r
            master_failover_state:no-failover\r
            master_replid:8f2c\r
            master_repl_offset:5224\r
            second_repl_offset:-1\r
            """;

    private static final String REPLICA_DOWN_INFO = """
            # Replication
            role:slave
            master_host:10.0.1.10
            master_port:6379
            master_link_status:down
            master_last_io_seconds_ago:-1
            master_sync_in_progress:0
            slave_read_repl_offset:4100
            slave_repl_offset:4100
            master_link_down_since_seconds:42
            slave_priority:100
            master_repl_offset:4100
            """;

    @Test
    void master_withTwoReplicas() {
        RedisReplication r = RedisReplication.parse(List.of("master", 5224L, List.of()), MASTER_INFO);
        assertEquals(Role.MASTER, r.role());
        assertEquals(5224, r.masterReplOffset());
        assertEquals(OptionalLong.empty(), r.replicaReplOffset());
        assertEquals(List.of(new RedisReplication.Replica("10.0.1.11", 6379, "online", 5210, 0),
                new RedisReplication.Replica("10.0.1.12", 6380, "wait_bgsave", 0, 1)), r.replicas());
        assertEquals("role:master", r.describe());
        assertFalse(r.linkDownLongerThan(Duration.ZERO), "a master has no link to lose");
    }

    @Test
    void replica_linkDown_keepsTheSecondsAndOffsets_roleFromRoleRepliedAsBytes() {
        List<Object> role = List.of("slave".getBytes(StandardCharsets.UTF_8), "10.0.1.10".getBytes(StandardCharsets.UTF_8),
                6379L, "connect".getBytes(StandardCharsets.UTF_8), -1L);
        RedisReplication r = RedisReplication.parse(role, REPLICA_DOWN_INFO);
        assertEquals(Role.REPLICA, r.role());
        assertEquals(Optional.of(new HostPort("10.0.1.10", 6379)), r.master());
        assertFalse(r.masterLinkUp());
        assertEquals(OptionalLong.of(42), r.masterLinkDownSeconds());
        assertEquals(OptionalLong.of(4100), r.replicaReplOffset());
        assertEquals("role:replica, link down 42s", r.describe());
        assertTrue(r.linkDownLongerThan(Duration.ofSeconds(10)));
        assertFalse(r.linkDownLongerThan(Duration.ofSeconds(42)));
        assertEquals("100", r.info().get("slave_priority"));
    }

    @Test
    void replica_linkUp_hasNoDownSeconds_evenIfInfoCarriesAStaleOne() {
        String info = REPLICA_DOWN_INFO.replace("master_link_status:down", "master_link_status:up");
        RedisReplication r = RedisReplication.parse(List.of("slave", "10.0.1.10", 6379L, "connected", 4100L), info);
        assertTrue(r.masterLinkUp());
        assertTrue(r.masterLinkDownSeconds().isEmpty());
        assertEquals("role:replica, link up", r.describe());
    }

    @Test
    void lagBytes_isHowFarTheFurthestBehindListedReplicaTrails_onAMasterOnly() {
        RedisReplication master = RedisReplication.parse(List.of("master", 5224L, List.of()), MASTER_INFO);
        assertEquals(OptionalLong.of(5224), master.lagBytes(), "slave1 is still in its first sync, at offset 0");
        String oneOnline = MASTER_INFO.replace("connected_slaves:2", "connected_slaves:1")
                .replace("slave1:ip=10.0.1.12,port=6380,state=wait_bgsave,offset=0,lag=1\r\n", "");
        assertEquals(OptionalLong.of(14), RedisReplication.parse(List.of("master", 5224L, List.of()), oneOnline).lagBytes());
        String alone = "role:master\nconnected_slaves:0\nmaster_repl_offset:5224\n";
        assertEquals(OptionalLong.empty(), RedisReplication.parse(List.of("master", 5224L, List.of()), alone).lagBytes(),
                "no replica, no lag to tell");
        RedisReplication replica = RedisReplication.parse(List.of("slave", "10.0.1.10", 6379L, "connect", -1L),
                REPLICA_DOWN_INFO);
        assertEquals(OptionalLong.empty(), replica.lagBytes(), "a replica does not know its master's offset");
    }

    @Test
    void linkDownSeconds_onAReplica_zeroWhileUp_redisSecondsWhileDown_emptyOnAMaster() {
        RedisReplication down = RedisReplication.parse(List.of("slave", "10.0.1.10", 6379L, "connect", -1L),
                REPLICA_DOWN_INFO);
        assertEquals(OptionalLong.of(42), down.linkDownSeconds());
        RedisReplication up = RedisReplication.parse(List.of("slave", "10.0.1.10", 6379L, "connected", 4100L),
                REPLICA_DOWN_INFO.replace("master_link_status:down", "master_link_status:up"));
        assertEquals(OptionalLong.of(0), up.linkDownSeconds());
        RedisReplication never = RedisReplication.parse(List.of("slave", "10.0.1.10", 6379L, "connect", -1L),
                REPLICA_DOWN_INFO.replace("master_link_down_since_seconds:42", "master_link_down_since_seconds:-1"));
        assertEquals(OptionalLong.of(-1), never.linkDownSeconds(), "Redis' own -1: not linked since it started");
        assertEquals(OptionalLong.empty(),
                RedisReplication.parse(List.of("master", 5224L, List.of()), MASTER_INFO).linkDownSeconds());
    }

    @Test
    void sentinel_isItsOwnRole() {
        RedisReplication r = RedisReplication.parse(List.of("sentinel", List.of("mymaster")), "");
        assertEquals(Role.SENTINEL, r.role());
        assertEquals("role:sentinel", r.describe());
    }

    @Test
    void unknownRole_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> RedisReplication.parse(List.of("leader"), ""));
        assertThrows(IllegalArgumentException.class, () -> RedisReplication.parse(List.of(), ""));
    }
}
