package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.checker.probe.RedisReplication.Role;
import io.haagent.config.CheckSpec;
import io.haagent.config.HostPort;
import io.haagent.config.Secret;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FreePorts;
import io.haagent.testkit.RedisServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redis probe against real {@code redis-server} processes (testkit's {@link RedisServer}):
 * skipped when there is none, except under CI.
 */
class RedisProbeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Probes probes;

    private final List<RedisServer> servers = new ArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        RedisServer.assumeAvailable();
        probes = Probes.create();
    }

    @AfterAll
    static void tearDown() {
        if (probes != null) {
            probes.close();
        }
    }

    @AfterEach
    void stopServers() {
        servers.forEach(RedisServer::close);
    }

    private RedisServer start(RedisServer.Builder b) {
        RedisServer s = b.start();
        servers.add(s);
        return s;
    }

    private static CheckSpec.Redis spec(int port, Optional<Secret> password) {
        return new CheckSpec.Redis("127.0.0.1", port, password,
                new CheckSpec.CheckTiming(Duration.ofSeconds(4), Duration.ofSeconds(2), 2, 3));
    }

    private static CheckResult run(CheckSpec spec) throws Exception {
        return probes.forCheck("redis", spec).run().get(30, TimeUnit.SECONDS);
    }

    /** Runs the probe until a result matches; for states a server reaches on its own time (link down). */
    private static CheckResult runUntil(CheckSpec spec, Predicate<CheckResult> wanted, String what) throws Exception {
        List<CheckResult> last = new ArrayList<>(1);
        return Eventually.get(WAIT, () -> what + "; last result: " + (last.isEmpty() ? "none" : last.getFirst()), () -> {
            last.clear();
            last.add(run(spec));
            return Optional.of(last.getFirst()).filter(wanted);
        });
    }

    @Test
    void master_isUp_roleMaster() throws Exception {
        RedisServer master = start(RedisServer.builder());
        CheckResult r = run(spec(master.port(), Optional.empty()));
        assertTrue(r.up(), r.reason());
        assertEquals("role:master", r.reason());
        RedisReplication repl = r.replication().orElseThrow();
        assertEquals(Role.MASTER, repl.role());
        assertTrue(repl.master().isEmpty());
        assertTrue(repl.replicaReplOffset().isEmpty());
        assertEquals("master", repl.info().get("role"));
    }

    @Test
    void replica_linked_isUp_withMasterLinkAndOffsets_andMasterListsIt() throws Exception {
        RedisServer master = start(RedisServer.builder());
        RedisServer replica = start(RedisServer.builder().replicaOf(master));
        replica.awaitMasterLinkUp(WAIT);
        master.command("SET", "k", "v");

        CheckResult r = runUntil(spec(replica.port(), Optional.empty()),
                res -> res.replication().orElseThrow().replicaReplOffset().orElse(0) > 0, "the replica to read the SET");
        assertTrue(r.up(), r.reason());
        assertEquals("role:replica, link up", r.reason());
        RedisReplication repl = r.replication().orElseThrow();
        assertEquals(Role.REPLICA, repl.role());
        assertEquals(Optional.of(new HostPort("127.0.0.1", master.port())), repl.master());
        assertTrue(repl.masterLinkUp());
        assertTrue(repl.masterLinkDownSeconds().isEmpty());
        assertFalse(repl.linkDownLongerThan(Duration.ZERO));
        assertTrue(repl.masterReplOffset() > 0);

        CheckResult m = runUntil(spec(master.port(), Optional.empty()),
                res -> !res.replication().orElseThrow().replicas().isEmpty(), "the master to list its replica");
        RedisReplication.Replica listed = m.replication().orElseThrow().replicas().getFirst();
        assertEquals(replica.port(), listed.port());
        assertEquals("online", listed.state());
        assertTrue(listed.offset() >= 0);
        // What the metrics graph: the replica's link (0 while up) and the master's lag behind it, as the check read them.
        assertEquals(OptionalLong.of(0), repl.linkDownSeconds());
        CheckResult caughtUp = runUntil(spec(master.port(), Optional.empty()),
                res -> res.replication().orElseThrow().lagBytes().equals(OptionalLong.of(0)), "the replica to catch up");
        assertTrue(caughtUp.replication().orElseThrow().linkDownSeconds().isEmpty(), "a master has no link");
    }

    @Test
    void replica_ofAKilledMaster_isStillUp_linkDownWithSeconds() throws Exception {
        RedisServer master = start(RedisServer.builder());
        RedisServer replica = start(RedisServer.builder().replicaOf(master));
        replica.awaitMasterLinkUp(WAIT);
        master.kill();

        CheckResult r = runUntil(spec(replica.port(), Optional.empty()),
                res -> res.replication().map(x -> !x.masterLinkUp()).orElse(false), "the replica to see its link down");
        assertTrue(r.up(), "a replica serving stale data still answers: " + r.reason());
        assertTrue(r.reason().matches("role:replica, link down \\d+s"), r.reason());
        long down = r.replication().orElseThrow().masterLinkDownSeconds().orElseThrow();
        assertTrue(down >= 0, "link down since " + down + "s");
        assertTrue(r.replication().orElseThrow().linkDownLongerThan(Duration.ofSeconds(down).minusMillis(1)));
    }

    @Test
    void replica_neverLinked_withServeStaleNo_isDown_MASTERDOWN_keepsItsReplicationFacts() throws Exception {
        RedisServer replica = start(RedisServer.builder().replicaOf("127.0.0.1", FreePorts.tcp())
                .config("replica-serve-stale-data no"));
        CheckResult r = run(spec(replica.port(), Optional.empty()));
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("MASTERDOWN Link with MASTER is down"), r.reason());
        RedisReplication repl = r.replication().orElseThrow();
        assertEquals(Role.REPLICA, repl.role());
        assertFalse(repl.masterLinkUp());
        assertEquals(-1, repl.masterLinkDownSeconds().orElseThrow(), "Redis says -1: not linked since it started");
        assertTrue(repl.linkDownLongerThan(Duration.ofDays(365)), "never linked is older than any limit");
    }

    @Test
    void password_fromFile_isUp() throws Exception {
        RedisServer s = start(RedisServer.builder().requirePass("s3cret"));
        Path file = Files.writeString(tmp.resolve("redis.pass"), "s3cret\n");
        CheckResult r = run(spec(s.port(), Optional.of(new Secret.FromFile(file))));
        assertTrue(r.up(), r.reason());
        assertEquals("role:master", r.reason());
    }

    @Test
    void password_inline_isUp() throws Exception {
        RedisServer s = start(RedisServer.builder().requirePass("s3cret"));
        assertTrue(run(spec(s.port(), Optional.of(new Secret.Inline("s3cret")))).up());
    }

    @Test
    void password_missing_isDown_NOAUTH() throws Exception {
        RedisServer s = start(RedisServer.builder().requirePass("s3cret"));
        CheckResult r = run(spec(s.port(), Optional.empty()));
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("NOAUTH"), r.reason());
    }

    @Test
    void password_wrong_isDown_WRONGPASS() throws Exception {
        RedisServer s = start(RedisServer.builder().requirePass("s3cret"));
        CheckResult r = run(spec(s.port(), Optional.of(new Secret.Inline("guess"))));
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("WRONGPASS"), r.reason());
    }

    @Test
    void passwordFile_unreadable_isDown_reasonNamesTheFile() throws Exception {
        RedisServer s = start(RedisServer.builder().requirePass("s3cret"));
        Path missing = tmp.resolve("nope.pass");
        CheckResult r = run(spec(s.port(), Optional.of(new Secret.FromFile(missing))));
        assertFalse(r.up());
        assertEquals("cannot read password file " + missing + ": NoSuchFileException", r.reason());
    }

    @Test
    void killed_isDown_connectRefused_andBackUpAfterRestart() throws Exception {
        RedisServer s = start(RedisServer.builder());
        CheckSpec spec = spec(s.port(), Optional.empty());
        assertTrue(run(spec).up());
        s.kill();
        CheckResult r = run(spec);
        assertFalse(r.up());
        assertEquals("connect refused", r.reason());
        s.restart();
        assertTrue(run(spec).up());
    }

    @Test
    void loading_isDown_LOADING() throws Exception {
        // DEBUG RELOAD with a per-key load delay keeps the server LOADING for about two seconds,
        // and it answers other clients meanwhile (every 1 KB loaded).
        RedisServer s = start(RedisServer.builder()
                .config("enable-debug-command local")
                .config("loading-process-events-interval-bytes 1024"));
        s.command("DEBUG", "POPULATE", "2000", "key", "100");
        s.command("CONFIG", "SET", "key-load-delay", "1000");
        CompletableFuture<String> reload = CompletableFuture.supplyAsync(() -> s.command("DEBUG", "RELOAD"));
        try {
            CheckResult seen = null;
            while (!reload.isDone() && seen == null) {
                CheckResult r = run(spec(s.port(), Optional.empty()));
                if (!r.up()) {
                    seen = r;
                }
            }
            if (seen == null) {
                throw new AssertionError("the probe never saw the server loading; DEBUG RELOAD said " + reload.join());
            }
            assertEquals("LOADING Redis is loading the dataset in memory", seen.reason());
        } finally {
            reload.get(30, TimeUnit.SECONDS);
        }
        assertTrue(run(spec(s.port(), Optional.empty())).up());
    }
}
