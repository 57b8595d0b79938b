package io.haagent.failover.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haagent.config.Secret;
import io.haagent.config.VrrpInstance.RedisPromote;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FreePorts;
import io.haagent.testkit.ConfiglessRedis;
import io.haagent.testkit.RedisServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** Promotions of real redis-server processes on loopback. */
class RedisPromoterTest {
    private static final Duration LINK_UP = Duration.ofSeconds(15);

    @TempDir
    Path tmp;

    @Test
    void syncedReplica_masterGone_promotedRewritesConfigAndClosesClients() throws Exception {
        try (RedisServer master = fastSyncMaster().start();
             RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
            replica.awaitMasterLinkUp(LINK_UP);
            master.command("SET", "k", "v");
            Eventually.within(Duration.ofSeconds(5), "replica has k", () -> "v".equals(replica.command("GET", "k")));
            master.kill();

            Jedis client = new Jedis(replica.host(), replica.port());
            client.ping();
            CompletableFuture<Throwable> subscriberEnded = subscribe(replica);

            PromotionResult result = promoter(replica, Duration.ofSeconds(10)).promote(false);

            PromotionResult.Promoted promoted = assertInstanceOf(PromotionResult.Promoted.class, result, result.sentence());
            assertFalse(promoted.wasMaster());
            assertEquals(Optional.empty(), promoted.forcedPast());
            assertEquals(List.of(), promoted.warnings());
            assertTrue(promoted.closedClients() >= 2, result.sentence());
            assertTrue(result.sentence().startsWith("redis " + replica.address()
                    + ": promoted to master (REPLICAOF NO ONE + CONFIG REWRITE in "), result.sentence());
            assertTrue(result.sentence().contains(", closed " + promoted.closedClients() + " client connections"),
                    result.sentence());
            assertTrue(replica.command("INFO", "replication").contains("role:master"));
            assertFalse(Files.readString(replica.configFile()).toLowerCase(Locale.ROOT).contains("replicaof"),
                    Files.readString(replica.configFile()));
            assertEquals("v", replica.command("GET", "k"), "the promotion keeps the data");
            assertThrows(JedisConnectionException.class, client::ping, "a normal client connection was closed");
            client.close();
            assertInstanceOf(JedisConnectionException.class, subscriberEnded.get(5, TimeUnit.SECONDS),
                    "the pubsub subscriber's connection was closed");
        }
    }

    /**
     * Hostile run, fault 4: the old master's Redis restarted (empty, no replicaof in its config) and was promoted as
     * "already master"; the write the peer had acknowledged was lost. A master with another run_id than the one
     * haagent last promoted is refused now.
     */
    @Test
    void master_restartedSinceItWasPromoted_isRefused_unlessForced() {
        try (RedisServer master = RedisServer.start()) {
            RedisPromoter promoter = promoter(master, Duration.ofSeconds(10));
            PromotionResult.Promoted first = assertInstanceOf(PromotionResult.Promoted.class, promoter.promote(false, Optional.empty()));
            String runId = first.runId().orElseThrow();
            assertInstanceOf(PromotionResult.Promoted.class, promoter.promote(false, Optional.of(runId)), "the same process");

            master.restart();

            PromotionResult refused = promoter.promote(false, Optional.of(runId));
            PromotionResult.Refused r = assertInstanceOf(PromotionResult.Refused.class, refused, refused.sentence());
            assertTrue(r.reason().startsWith("it restarted since haagent last promoted it or made it a replica (run_id "
                    + runId.substring(0, 8) + " is now "), r.reason());
            PromotionResult.Promoted forced = assertInstanceOf(PromotionResult.Promoted.class, promoter.promote(true, Optional.of(runId)));
            assertTrue(forced.forcedPast().isPresent());
            assertTrue(!forced.runId().orElseThrow().equals(runId), "the new process's run_id, to be remembered");
        }
    }

    @Test
    void alreadyMaster_noOpThatConfirmsTheRole() {
        try (RedisServer master = RedisServer.start()) {
            Jedis client = new Jedis(master.host(), master.port());
            client.ping();

            PromotionResult result = promoter(master, Duration.ofSeconds(10)).promote(false);

            PromotionResult.Promoted promoted = assertInstanceOf(PromotionResult.Promoted.class, result, result.sentence());
            assertTrue(promoted.wasMaster());
            assertEquals(0, promoted.closedClients());
            assertEquals("redis " + master.address() + ": already master, nothing to promote (role:master confirmed)",
                    result.sentence());
            assertTrue(promoted.steps().stream().noneMatch(s -> s.what().contains("REPLICAOF")), promoted.steps().toString());
            assertEquals("PONG", client.ping(), "clients of a master that stays master are left alone");
            client.close();
        }
    }

    @Test
    void linkDownLongerThanMaxLinkDown_refused_thenForced() {
        try (RedisServer master = fastSyncMaster().start();
             RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
            replica.awaitMasterLinkUp(LINK_UP);
            master.kill();
            Eventually.within(Duration.ofSeconds(10), "master_link_down_since_seconds >= 2", () -> Info.parse(
                    replica.command("INFO", "replication")).number("master_link_down_since_seconds").orElse(-1) >= 2);
            RedisPromoter promoter = promoter(replica, Duration.ofSeconds(1));

            PromotionResult refused = promoter.promote(false);

            PromotionResult.Refused r = assertInstanceOf(PromotionResult.Refused.class, refused, refused.sentence());
            assertTrue(r.reason().startsWith("its link to " + master.address() + " has been down for "), r.reason());
            assertTrue(r.reason().contains("longer than max_link_down 1s"), r.reason());
            assertEquals("redis " + replica.address() + ": refused to promote because " + r.reason()
                    + "; force it through the admin API if you accept the data loss", refused.sentence());
            assertTrue(replica.command("INFO", "replication").contains("role:slave"), "a refusal changes nothing");

            PromotionResult forced = promoter.promote(true);

            PromotionResult.Promoted p = assertInstanceOf(PromotionResult.Promoted.class, forced, forced.sentence());
            assertEquals(Optional.of(r.reason()), p.forcedPast());
            assertTrue(forced.sentence().contains(", forced by the operator although its link to "), forced.sentence());
            assertTrue(replica.command("INFO", "replication").contains("role:master"));
        }
    }

    @Test
    void neverSynced_refused() {
        int nothingListens = FreePorts.tcp();
        try (RedisServer replica = RedisServer.builder().replicaOf("127.0.0.1", nothingListens).start()) {
            PromotionResult result = promoter(replica, Duration.ofSeconds(10)).promote(false);

            PromotionResult.Refused r = assertInstanceOf(PromotionResult.Refused.class, result, result.sentence());
            assertEquals("it has never completed a sync with 127.0.0.1:" + nothingListens
                    + " (master_repl_offset 0), so it holds none of the master's data", r.reason());
            assertTrue(replica.command("INFO", "replication").contains("role:slave"));
        }
    }

    @Test
    void loading_refused() {
        // key-load-delay (a Redis 7 testing config, in microseconds per key) slows the RDB load down so
        // that the guard sees loading:1; small event intervals let Redis answer INFO meanwhile.
        try (RedisServer replica = RedisServer.builder().config("key-load-delay 1000")
                .config("loading-process-events-interval-bytes 1024").start()) {
            try (Jedis jedis = new Jedis(replica.host(), replica.port())) {
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < 20_000; i++) {
                    p.set("key:" + i, "value:" + i);
                }
                p.sync();
            }
            replica.command("SAVE");
            replica.command("REPLICAOF", "127.0.0.1", String.valueOf(FreePorts.tcp()));
            replica.command("CONFIG", "REWRITE");
            replica.restart(); // answers PING with -LOADING; 20 000 keys take ~20 s to load
            assumeTrue(replica.command("INFO", "persistence").contains("loading:1"),
                    "this redis-server did not stay in loading:1 long enough to test");

            PromotionResult result = promoter(replica, Duration.ofSeconds(10)).promote(false);

            PromotionResult.Refused r = assertInstanceOf(PromotionResult.Refused.class, result, result.sentence());
            assertEquals("it is loading its dataset from disk", r.reason());
        }
    }

    @Test
    void configRewriteFails_noConfigFile_promotedWithWarning() throws IOException {
        try (RedisServer master = fastSyncMaster().start();
             ConfiglessRedis replica = ConfiglessRedis.start("--replicaof", "127.0.0.1", String.valueOf(master.port()))) {
            Eventually.within(LINK_UP, "replica linked",
                    () -> replica.info("replication").contains("master_link_status:up"));
            RedisPromoter promoter = RedisPromoter.of(new RedisPromote("127.0.0.1", replica.port(), Optional.empty(), true,
                    Duration.ofSeconds(10)));

            PromotionResult result = promoter.promote(false);

            PromotionResult.Promoted p = assertInstanceOf(PromotionResult.Promoted.class, result, result.sentence());
            assertEquals(1, p.warnings().size(), p.warnings().toString());
            assertTrue(p.warnings().getFirst().startsWith("CONFIG REWRITE failed (ERR The server is running without a config"
                    + " file), so a restart of this Redis would make it a replica again"), p.warnings().getFirst());
            assertTrue(result.sentence().contains("; WARNING: CONFIG REWRITE failed"), result.sentence());
            assertTrue(replica.info("replication").contains("role:master"));
        }
    }

    @Test
    void configRewriteFails_immutableConfigFile_promotedWithWarning() throws Exception {
        try (RedisServer master = fastSyncMaster().start();
             RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
            replica.awaitMasterLinkUp(LINK_UP);
            // root ignores permissions; the immutable attribute stops it (and a CONFIG REWRITE)
            assumeTrue(chattr("+i", replica.configFile()), "chattr +i does not work on " + replica.configFile());
            try {
                String before = Files.readString(replica.configFile());
                RedisPromoter promoter = promoter(replica, Duration.ofSeconds(10));
                Optional<String> finding = promoter.checkRewritable();
                assertTrue(finding.isPresent() && finding.get().startsWith("redis " + replica.address()
                        + ": cannot rewrite its config file " + replica.configFile()), finding.toString());

                PromotionResult result = promoter.promote(false);

                PromotionResult.Promoted p = assertInstanceOf(PromotionResult.Promoted.class, result, result.sentence());
                assertEquals(1, p.warnings().size(), result.sentence());
                assertTrue(replica.command("INFO", "replication").contains("role:master"));
                assertEquals(before, Files.readString(replica.configFile()));
            } finally {
                chattr("-i", replica.configFile());
            }
        }
    }

    @Test
    void passwordProtected_promotesWithPasswordFile_failsWithWrongPassword() throws IOException {
        try (RedisServer master = fastSyncMaster().requirePass("master-secret").start();
             RedisServer replica = RedisServer.builder().requirePass("replica-secret").replicaOf(master).start()) {
            replica.awaitMasterLinkUp(LINK_UP);
            Path passwordFile = Files.writeString(tmp.resolve("redis.pass"), "replica-secret\n");

            PromotionResult wrong = RedisPromoter.of(new RedisPromote(replica.host(), replica.port(),
                    Optional.of(new Secret.Inline("not-it")), true, Duration.ofSeconds(10))).promote(false);
            PromotionResult right = RedisPromoter.of(new RedisPromote(replica.host(), replica.port(),
                    Optional.of(new Secret.FromFile(passwordFile)), true, Duration.ofSeconds(10))).promote(false);

            PromotionResult.Failed f = assertInstanceOf(PromotionResult.Failed.class, wrong, wrong.sentence());
            assertTrue(f.sentence().startsWith("redis " + replica.address() + ": promotion failed because cannot connect: WRONGPASS"),
                    f.sentence());
            assertInstanceOf(PromotionResult.Promoted.class, right, right.sentence());
            assertTrue(replica.command("INFO", "replication").contains("role:master"));
        }
    }

    @Test
    void nothingListens_failsWithinTheTimeout() {
        int port = FreePorts.tcp();
        PromotionResult result = RedisPromoter.of(new RedisPromote("127.0.0.1", port, Optional.empty(), true,
                Duration.ofSeconds(10)), Duration.ofMillis(500)).promote(false);

        PromotionResult.Failed f = assertInstanceOf(PromotionResult.Failed.class, result, result.sentence());
        assertEquals("redis 127.0.0.1:" + port + ": promotion failed because cannot connect: connection refused"
                + " (nothing listens on 127.0.0.1:" + port + "?)", f.sentence());
    }

    @Test
    void checkRewritable_withConfigFile_nothingToReport() {
        try (RedisServer redis = RedisServer.start()) {
            assertEquals(Optional.empty(), promoter(redis, Duration.ofSeconds(10)).checkRewritable());
        }
    }

    @Test
    void checkRewritable_withoutConfigFile_reported() throws IOException {
        try (ConfiglessRedis redis = ConfiglessRedis.start()) {
            RedisPromote config = new RedisPromote("127.0.0.1", redis.port(), Optional.empty(), true, Duration.ofSeconds(10));

            assertEquals(Optional.of("redis 127.0.0.1:" + redis.port() + ": runs without a config file, so CONFIG REWRITE"
                    + " cannot persist a promotion and a restart would undo it: start redis-server with a config file"),
                    RedisPromoter.of(config).checkRewritable());
            assertEquals(Optional.empty(), RedisPromoter.of(new RedisPromote("127.0.0.1", redis.port(), Optional.empty(),
                    false, Duration.ofSeconds(10))).checkRewritable(), "nothing to check without config_rewrite");
        }
    }

    private static RedisServer.Builder fastSyncMaster() {
        return RedisServer.builder().config("repl-diskless-sync-delay 0");
    }

    private static RedisPromoter promoter(RedisServer redis, Duration maxLinkDown) {
        return RedisPromoter.of(new RedisPromote(redis.host(), redis.port(),
                redis.password().map(Secret.Inline::new), true, maxLinkDown));
    }

    /** A subscriber on its own thread; completes with what ended its subscription. */
    private static CompletableFuture<Throwable> subscribe(RedisServer redis) {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Jedis subscriber = new Jedis(redis.host(), redis.port())) {
                subscriber.subscribe(new JedisPubSub() {}, "announcements");
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        Eventually.within(Duration.ofSeconds(5), "the subscriber is connected",
                () -> !redis.command("CLIENT", "LIST", "TYPE", "pubsub").isBlank());
        return ended;
    }

    private static boolean chattr(String flag, Path file) {
        try {
            Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
