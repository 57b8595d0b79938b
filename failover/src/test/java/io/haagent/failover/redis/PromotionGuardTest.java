package io.haagent.failover.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.failover.redis.PromotionGuard.Verdict;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The guard's decision on INFO text captured from redis-server 7.0.15 in each situation. */
class PromotionGuardTest {
    private static final Duration MAX = Duration.ofSeconds(10);

    private static final Info NOT_LOADING = Info.parse("""
            # Persistence\r
            loading:0\r
            async_loading:0\r
            rdb_changes_since_last_save:0\r
            """);

    /** A replica of a port where nothing listens, seconds after it started. */
    private static final String NEVER_SYNCED = """
            # Replication
            role:slave
            master_host:127.0.0.1
            master_port:17999
            master_link_status:down
            master_last_io_seconds_ago:-1
            master_sync_in_progress:0
            slave_read_repl_offset:1
            slave_repl_offset:1
            master_link_down_since_seconds:-1
            slave_priority:100
            slave_read_only:1
            replica_announced:1
            connected_slaves:0
            master_failover_state:no-failover
            master_replid:a70fd59b21ef4f4fe09cae4370b59071557e9b50
            master_replid2:0000000000000000000000000000000000000000
            master_repl_offset:0
            second_repl_offset:-1
            repl_backlog_active:0
            repl_backlog_size:1048576
            repl_backlog_first_byte_offset:0
            repl_backlog_histlen:0
            """;

    /** A synced replica, 2 s after its master was shut down. */
    private static final String SYNCED_MASTER_GONE_2S = """
            # Replication
            role:slave
            master_host:127.0.0.1
            master_port:17001
            master_link_status:down
            master_last_io_seconds_ago:-1
            master_sync_in_progress:0
            slave_read_repl_offset:115
            slave_repl_offset:115
            master_link_down_since_seconds:2
            slave_priority:100
            slave_read_only:1
            replica_announced:1
            connected_slaves:0
            master_failover_state:no-failover
            master_replid:aa6c8c4d3e07ca4dd02d923c0717eb8ac3aa4181
            master_replid2:0000000000000000000000000000000000000000
            master_repl_offset:115
            second_repl_offset:-1
            repl_backlog_active:1
            """;

    /** A synced replica restarted from its RDB while its master is gone: offset kept, link age unknown. */
    private static final String RESTARTED_MASTER_GONE = """
            # Replication
            role:slave
            master_host:127.0.0.1
            master_port:17001
            master_link_status:down
            master_last_io_seconds_ago:-1
            master_sync_in_progress:0
            slave_read_repl_offset:50
            slave_repl_offset:50
            master_link_down_since_seconds:-1
            master_repl_offset:50
            second_repl_offset:-1
            repl_backlog_first_byte_offset:0
            """;

    private static final String LINK_UP = """
            # Replication
            role:slave
            master_host:127.0.0.1
            master_port:17001
            master_link_status:up
            master_last_io_seconds_ago:1
            master_sync_in_progress:0
            slave_read_repl_offset:78
            slave_repl_offset:78
            slave_priority:100
            master_repl_offset:78
            """;

    /** A replica loading its RDB at startup (key-load-delay made it slow enough to catch). */
    private static final Info LOADING = Info.parse("""
            # Persistence
            loading:1
            async_loading:0
            loading_start_time:1795316623
            loading_total_bytes:277886
            loading_rdb_used_mem:2715288
            loading_loaded_bytes:5116
            loading_loaded_perc:1.84
            loading_eta_seconds:1
            """);

    @Test
    void master_isAlreadyMaster() {
        Info master = Info.parse("# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n");
        assertInstanceOf(Verdict.AlreadyMaster.class, PromotionGuard.decide(master, NOT_LOADING, MAX));
    }

    /** Hostile run, fault 4: a master's Redis restarted empty as a master, and was "already master, nothing to promote". */
    @Test
    void master_restartedSinceHaagentLastPromotedOrReplicatedIt_isUnsafe() {
        Info master = Info.parse("# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n");
        Verdict v = PromotionGuard.decide(master, NOT_LOADING, MAX, Optional.of("b2c3d4e5f6a7"), Optional.of("a1b2c3d4e5f6"));
        Verdict.Unsafe unsafe = assertInstanceOf(Verdict.Unsafe.class, v);
        assertEquals("it restarted since haagent last promoted it or made it a replica (run_id a1b2c3d4 is now b2c3d4e5) and"
                + " came back as a master, which may be empty or behind; let it replicate the live master", unsafe.reason());
    }

    @Test
    void master_theOneHaagentLastPromoted_orNothingRemembered_isAlreadyMaster() {
        Info master = Info.parse("# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n");
        assertInstanceOf(Verdict.AlreadyMaster.class,
                PromotionGuard.decide(master, NOT_LOADING, MAX, Optional.of("a1b2c3d4e5f6"), Optional.of("a1b2c3d4e5f6")));
        assertInstanceOf(Verdict.AlreadyMaster.class,
                PromotionGuard.decide(master, NOT_LOADING, MAX, Optional.of("a1b2c3d4e5f6"), Optional.empty()));
        assertInstanceOf(Verdict.AlreadyMaster.class,
                PromotionGuard.decide(master, NOT_LOADING, MAX, Optional.empty(), Optional.of("a1b2c3d4e5f6")));
    }

    @Test
    void linkUp_isSafe() {
        assertInstanceOf(Verdict.Safe.class, PromotionGuard.decide(Info.parse(LINK_UP), NOT_LOADING, MAX));
    }

    @Test
    void linkDownWithinMaxLinkDown_isSafe() {
        Verdict v = PromotionGuard.decide(Info.parse(SYNCED_MASTER_GONE_2S), NOT_LOADING, Duration.ofSeconds(2));
        assertEquals(new Verdict.Safe("its link to 127.0.0.1:17001 has been down for only 2s (max_link_down 2s)"), v);
    }

    @Test
    void linkDownLongerThanMaxLinkDown_isUnsafe() {
        Verdict v = PromotionGuard.decide(Info.parse(SYNCED_MASTER_GONE_2S), NOT_LOADING, Duration.ofSeconds(1));
        assertEquals(new Verdict.Unsafe("its link to 127.0.0.1:17001 has been down for 2s, longer than max_link_down 1s,"
                + " so it misses the writes since then"), v);
    }

    @Test
    void neverSynced_isUnsafe() {
        Verdict v = PromotionGuard.decide(Info.parse(NEVER_SYNCED), NOT_LOADING, MAX);
        assertEquals(new Verdict.Unsafe("it has never completed a sync with 127.0.0.1:17999 (master_repl_offset 0),"
                + " so it holds none of the master's data"), v);
    }

    @Test
    void restartedFromRdbAndNeverLinkedSince_isUnsafe() {
        Verdict v = PromotionGuard.decide(Info.parse(RESTARTED_MASTER_GONE), NOT_LOADING, MAX);
        assertEquals(new Verdict.Unsafe("its link to 127.0.0.1:17001 has not been up since it started,"
                + " so how old its data is cannot be told"), v);
    }

    @Test
    void loading_isUnsafe_evenWithItsLinkUp() {
        Verdict v = PromotionGuard.decide(Info.parse(LINK_UP), LOADING, MAX);
        assertEquals(new Verdict.Unsafe("it is loading its dataset from disk"), v);
    }

    @Test
    void preRedis4EpochValue_readsAsNeverLinked() {
        // Redis < 4 printed unixtime - repl_down_since with repl_down_since still 0
        String old = NEVER_SYNCED.replace("master_link_down_since_seconds:-1", "master_link_down_since_seconds:1795316623");
        Verdict v = PromotionGuard.decide(Info.parse(old), NOT_LOADING, MAX);
        assertTrue(v instanceof Verdict.Unsafe u && u.reason().contains("never completed a sync"), v.toString());
    }
}
