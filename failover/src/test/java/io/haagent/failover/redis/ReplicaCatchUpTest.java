package io.haagent.failover.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.VrrpInstance.RedisPromote;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** A planned switchover's Redis side on real redis-servers (loopback): pause writes, wait for the replica (issue 12). */
class ReplicaCatchUpTest {

    @BeforeAll
    static void redis() {
        RedisServer.assumeAvailable();
    }

    private static ReplicaCatchUp of(RedisServer master) {
        return ReplicaCatchUp.of(new RedisPromote(master.host(), master.port(), Optional.empty(), true, Duration.ofSeconds(10)));
    }

    @Test
    void replicaCaughtUp_writesStayPausedUntilUnpause() {
        try (RedisServer master = RedisServer.builder().config("repl-diskless-sync-delay 0").start();
             RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
            awaitOnline(master, replica);
            for (int i = 0; i < 100; i++) {
                master.command("SET", "k" + i, "v");
            }
            ReplicaCatchUp catchUp = of(master);

            CatchUp c = catchUp.pauseAndAwait(Set.of("127.0.0.1"), Duration.ofSeconds(5), Duration.ofSeconds(20));

            CatchUp.CaughtUp up = assertInstanceOf(CatchUp.CaughtUp.class, c, c.sentence());
            assertTrue(master.command("INFO", "replication").contains("master_repl_offset:" + up.offset()));
            assertEquals("127.0.0.1:" + replica.port(), up.replica());
            try (Jedis writer = new Jedis(master.host(), master.port(), 300)) {
                assertThrows(JedisConnectionException.class, () -> writer.set("late", "x"), "a write is paused");
            }
            assertEquals(Optional.empty(), catchUp.unpause());
            assertEquals("OK", master.command("SET", "after", "x"));
        }
    }

    @Test
    void stoppedReplica_lagsInBytes_andWritesResume() throws Exception {
        try (RedisServer master = RedisServer.builder().config("repl-diskless-sync-delay 0").start();
             RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
            awaitOnline(master, replica);
            master.command("SET", "before", "x");
            Thread.sleep(1500); // the replica's once-a-second REPLCONF ACK reports the offset it has
            signal("STOP", replica.pid());
            try {
                master.command("SET", "unseen", "x".repeat(1000));

                CatchUp c = of(master).pauseAndAwait(Set.of("127.0.0.1"), Duration.ofMillis(300), Duration.ofSeconds(20));

                CatchUp.Lagging lag = assertInstanceOf(CatchUp.Lagging.class, c, c.sentence());
                assertTrue(lag.lagBytes() >= 1000, c.sentence());
                assertEquals(lag.masterOffset() - lag.replicaOffset(), lag.lagBytes());
                assertEquals("OK", master.command("SET", "after", "x"), "writes resumed");
            } finally {
                signal("CONT", replica.pid());
            }
        }
    }

    @Test
    void noReplica_refusedWithoutPausing() {
        try (RedisServer master = RedisServer.start()) {
            CatchUp c = of(master).pauseAndAwait(Set.of("127.0.0.1"), Duration.ofSeconds(1), Duration.ofSeconds(5));

            assertInstanceOf(CatchUp.NoReplica.class, c);
            assertTrue(c.sentence().contains("has no online replica"), c.sentence());
            assertEquals("OK", master.command("SET", "after", "x"));
        }
    }

    /** The replica's link is up, and the master lists it online (it may say wait_bgsave a little longer). */
    private static void awaitOnline(RedisServer master, RedisServer replica) {
        replica.awaitMasterLinkUp(Duration.ofSeconds(15));
        Eventually.within(Duration.ofSeconds(15), () -> "the master to list its replica online: "
                + master.command("INFO", "replication"), () -> master.command("INFO", "replication").contains("state=online"));
    }

    private static void signal(String sig, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
}
