package io.haagent.failover.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Secret;
import io.haagent.config.VrrpInstance.RedisReplicate;
import io.haagent.testkit.ConfiglessRedis;
import io.haagent.testkit.RedisServer;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Making real redis-server processes replicas of a new master. */
class RedisReplicatorTest {

    @Test
    void master_becomesReplica_persistedAcrossRestart_secondCallChangesNothing() throws IOException {
        try (RedisServer oldMaster = RedisServer.start();
             RedisServer newMaster = RedisServer.builder().config("repl-diskless-sync-delay 0").start()) {
            newMaster.command("SET", "k", "from-new-master");
            RedisReplicator replicator = RedisReplicator.of(new RedisReplicate(oldMaster.host(), oldMaster.port(),
                    newMaster.port(), Optional.empty(), true));

            ReplicationResult first = replicator.replicate("127.0.0.1");

            ReplicationResult.Replicated r = assertInstanceOf(ReplicationResult.Replicated.class, first, first.sentence());
            assertFalse(r.wasReplica());
            assertEquals(List.of(), r.warnings());
            assertTrue(first.sentence().startsWith("redis " + oldMaster.address() + ": now a replica of "
                    + newMaster.address() + " (REPLICAOF 127.0.0.1 " + newMaster.port() + " + CONFIG REWRITE in "),
                    first.sentence());
            assertTrue(Files.readString(oldMaster.configFile()).contains("replicaof 127.0.0.1 " + newMaster.port()),
                    Files.readString(oldMaster.configFile()));

            oldMaster.restart();
            oldMaster.awaitMasterLinkUp(Duration.ofSeconds(15));
            assertTrue(oldMaster.command("INFO", "replication").contains("master_port:" + newMaster.port()),
                    "still a replica of the new master after a restart");
            assertEquals("from-new-master", oldMaster.command("GET", "k"));

            ReplicationResult second = replicator.replicate("127.0.0.1");

            ReplicationResult.Replicated again = assertInstanceOf(ReplicationResult.Replicated.class, second, second.sentence());
            assertTrue(again.wasReplica());
            assertTrue(again.steps().stream().noneMatch(s -> s.what().contains("REPLICAOF")), again.steps().toString());
            assertEquals("redis " + oldMaster.address() + ": already a replica of " + newMaster.address()
                    + ", nothing to change", second.sentence());
            assertTrue(oldMaster.command("INFO", "replication").contains("master_link_status:up"),
                    "the link was left alone");
        }
    }

    @Test
    void passwordProtected_replicatesWithInlinePassword() {
        try (RedisServer newMaster = RedisServer.builder().config("repl-diskless-sync-delay 0").start();
             RedisServer local = RedisServer.builder().requirePass("local-secret").start()) {
            RedisReplicator replicator = RedisReplicator.of(new RedisReplicate(local.host(), local.port(), newMaster.port(),
                    Optional.of(new Secret.Inline("local-secret")), false));

            ReplicationResult result = replicator.replicate("127.0.0.1");

            ReplicationResult.Replicated r = assertInstanceOf(ReplicationResult.Replicated.class, result, result.sentence());
            assertTrue(r.steps().stream().noneMatch(s -> s.what().contains("CONFIG REWRITE")), r.steps().toString());
            local.awaitMasterLinkUp(Duration.ofSeconds(15));
        }
    }

    @Test
    void configRewriteFails_noConfigFile_replicatedWithWarning() throws IOException {
        try (RedisServer newMaster = RedisServer.start();
             ConfiglessRedis local = ConfiglessRedis.start()) {
            RedisReplicator replicator = RedisReplicator.of(new RedisReplicate("127.0.0.1", local.port(), newMaster.port(),
                    Optional.empty(), true));
            assertTrue(replicator.checkRewritable().isPresent());

            ReplicationResult result = replicator.replicate("127.0.0.1");

            ReplicationResult.Replicated r = assertInstanceOf(ReplicationResult.Replicated.class, result, result.sentence());
            assertEquals(1, r.warnings().size(), result.sentence());
            assertTrue(local.info("replication").contains("master_port:" + newMaster.port()));
        }
    }
}
