package io.haagent.failover.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.VrrpInstance.RedisPromote;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 14: the lease's write pause on a real redis-server: writes wait, reads go on, and a demotion fails them. */
class RedisWritePauseTest {

    private static RedisWritePause pauseOn(RedisServer redis) {
        return RedisWritePause.of(new RedisPromote(redis.host(), redis.port(), Optional.empty(), false,
                Duration.ofSeconds(10)));
    }

    /** Waits until a client's SET is held by the pause (Redis lists it blocked, flag b, with cmd=set). */
    private static void awaitPostponedSet(RedisServer redis) {
        Eventually.within(Duration.ofSeconds(5), () -> "a postponed SET in CLIENT LIST:\n" + redis.command("CLIENT", "LIST"),
                () -> redis.command("CLIENT", "LIST").lines()
                        .anyMatch(l -> l.contains("cmd=set") && l.matches(".* flags=\\S*b\\S* .*")));
    }

    @Test
    void pause_holdsWritesButNotReads_unpause_letsThemLand() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            RedisWritePause pause = pauseOn(redis);
            redis.command("SET", "k", "before");

            pause.pause(20_000);
            CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> redis.command("SET", "k", "during"));
            awaitPostponedSet(redis);

            assertEquals("before", redis.command("GET", "k"), "reads go on during the pause");
            assertFalse(write.isDone(), "the write waits");
            pause.unpause();
            assertEquals("OK", write.get(5, TimeUnit.SECONDS));
            assertEquals("during", redis.command("GET", "k"));
            assertEquals("redis " + redis.address(), pause.describe());
        }
    }

    /**
     * The demotion at the lease's deadline: writes paused during the blip must fail, never land on a Redis that is no
     * longer the master (they would be lost when it resyncs from the new one).
     */
    @Test
    void writesPausedWhenTheRedisIsMadeAReplica_failReadonly_andNeverLand() throws Exception {
        try (RedisServer redis = RedisServer.start(); RedisServer peer = RedisServer.start()) {
            RedisWritePause pause = pauseOn(redis);
            pause.pause(20_000);
            CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> redis.command("SET", "k", "lost?"));
            awaitPostponedSet(redis);

            redis.command("REPLICAOF", "127.0.0.1", String.valueOf(peer.port()));
            pause.unpause();

            ExecutionException e = assertThrows(ExecutionException.class, () -> write.get(5, TimeUnit.SECONDS));
            assertTrue(String.valueOf(e.getCause().getMessage()).contains("READONLY"), String.valueOf(e.getCause()));
            assertEquals(null, peer.command("GET", "k"));
        }
    }

    @Test
    void aRedisThatDoesNotAnswer_isReportedWithItsAddress() {
        RedisWritePause pause = RedisWritePause.of(new RedisPromote("127.0.0.1", 1, Optional.empty(), false,
                Duration.ofSeconds(10)));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pause.pause(1000));
        assertTrue(e.getMessage().startsWith("redis 127.0.0.1:1: cannot connect"), e.getMessage());
    }
}
