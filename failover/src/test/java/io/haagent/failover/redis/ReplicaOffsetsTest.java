package io.haagent.failover.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a master's INFO replication says of its replicas' offsets, for a planned switchover (issue 12). */
class ReplicaOffsetsTest {

    private static final String MASTER = """
            # Replication\r
            role:master\r
            connected_slaves:3\r
            slave0:ip=10.0.1.12,port=6379,state=online,offset=123400,lag=0\r
            slave1:ip=10.0.9.9,port=6380,state=online,offset=123456,lag=1\r
            slave2:ip=10.0.1.13,port=6379,state=wait_bgsave,offset=0,lag=0\r
            master_replid:8f1c0b1c6d0c6b4b1f1c0b1c6d0c6b4b1f1c0b1c\r
            master_repl_offset:123456\r
            """;

    @Test
    void master_onlineReplicasWithOffsets_syncingOnesLeftOut() {
        ReplicaOffsets o = ReplicaOffsets.of(Info.parse(MASTER));

        assertEquals(OptionalLong.of(123456), o.masterOffset());
        assertEquals(List.of(new ReplicaOffsets.Replica("10.0.1.12", 6379, 123400),
                new ReplicaOffsets.Replica("10.0.9.9", 6380, 123456)), o.replicas());
    }

    @Test
    void peersAmong_prefersTheReplicaAtAVrrpPeer_elseEveryOnlineOne() {
        ReplicaOffsets o = ReplicaOffsets.of(Info.parse(MASTER));

        // the read replica elsewhere has caught up, the peer's has not: the peer's is the one that counts
        assertEquals(Optional.of(new ReplicaOffsets.Replica("10.0.1.12", 6379, 123400)),
                ReplicaOffsets.furthestBehind(o.peersAmong(Set.of("10.0.1.12"))));
        // behind NAT (no replica at a peer's address): every online replica must have caught up
        assertEquals(2, o.peersAmong(Set.of("192.168.0.2")).size());
    }

    @Test
    void replica_hasNoMasterOffset() {
        ReplicaOffsets o = ReplicaOffsets.of(Info.parse("role:slave\r\nmaster_host:10.0.1.11\r\nmaster_repl_offset:5\r\n"));

        assertEquals(OptionalLong.empty(), o.masterOffset());
        assertEquals(List.of(), o.replicas());
    }
}
