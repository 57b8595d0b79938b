package io.haagent.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class RedisServerTest {

    @Test
    void start_answersPing_close_killsAndDeletesTheDirectory() {
        Path dir;
        long pid;
        try (RedisServer s = RedisServer.start()) {
            assertEquals("PONG", s.command("PING"));
            assertEquals("127.0.0.1", s.host());
            assertTrue(s.isRunning());
            dir = s.dir();
            pid = s.pid();
            assertTrue(Files.isRegularFile(s.configFile()));
        }
        assertFalse(Files.exists(dir));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void kill_thenRestart_samePort_keepsWhatConfigRewriteWrote() {
        try (RedisServer s = RedisServer.start()) {
            int port = s.port();
            s.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
            assertEquals("OK", s.command("CONFIG", "REWRITE"));
            s.kill();
            assertFalse(s.isRunning());
            assertThrows(RuntimeException.class, () -> s.command("PING"));
            s.restart();
            assertEquals(port, s.port());
            assertEquals("maxmemory-policy\nallkeys-lru", s.command("CONFIG", "GET", "maxmemory-policy"));
        }
    }

    @Test
    void requirePass_andReplicaOf_linkTheReplica() {
        try (RedisServer master = RedisServer.builder().requirePass("s3cret").start();
             RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
            assertNotEquals(master.port(), replica.port());
            assertEquals("s3cret", master.password().orElseThrow());
            replica.awaitMasterLinkUp(Duration.ofSeconds(20));
            assertTrue(replica.command("INFO", "replication").contains("master_port:" + master.port()));
        }
    }

    @Test
    void errorReply_throwsWithRedisWords() {
        try (RedisServer s = RedisServer.start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.command("NOSUCHCOMMAND"));
            assertTrue(e.getMessage().contains("ERR unknown command"), e.getMessage());
        }
    }

    @Test
    void freePorts_areDistinctAndBindable() throws Exception {
        int a = FreePorts.tcp();
        int b = FreePorts.tcp();
        assertNotEquals(a, b);
        try (var socket = new java.net.ServerSocket(a, 1, java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            assertEquals(a, socket.getLocalPort());
        }
    }
}
