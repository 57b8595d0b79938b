package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.json.Json;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FreePorts;
import io.haagent.testkit.RedisServer;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code haagent run} refusing to promote a Redis that would lose data: its Redis is a replica that never
 * synced (its master is gone), so when the instance wins the election the guard refuses, the instance goes
 * FAULT and says why in {@code /status}; an operator forces it with {@code POST /vrrp/NAME/promote}, and
 * the next promotion goes through. One daemon on loopback (udp transport, its peer silent).
 */
class PromotionGuardDaemonTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private Process daemon;
    private Process peer;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : new Process[] {daemon, peer}) {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    @Test
    void neverSyncedReplica_refusedWithFault_thenForcedByTheOperator() throws Exception {
        try (RedisServer orphan = RedisServer.builder().replicaOf("127.0.0.1", FreePorts.tcp()).start()) {
            int admin = FreePorts.tcp();
            startDaemon(admin, orphan.port(), "");

            await("the refused promotion puts the instance in FAULT", () -> "FAULT".equals(vip(admin).get("state"))
                    && vip(admin).get("promotion_refused") != null);
            String refusal = String.valueOf(vip(admin).get("promotion_refused"));
            assertTrue(refusal.startsWith("refused to promote the local Redis: "), refusal);
            assertTrue(orphan.command("INFO", "replication").contains("role:slave"), "a refusal leaves Redis as it was");
            long faultsBefore = Files.readAllLines(dir.resolve("haagent.log")).stream()
                    .filter(l -> l.contains("MASTER -> FAULT")).count();
            assertEquals(1, faultsBefore, "one refusal, one FAULT: the guard holds it there\n" + log());

            HttpResponse<String> forced = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
                    + "/vrrp/vip/promote?reason=accept+the+loss")).header("Authorization", "Bearer tok")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, forced.statusCode(), forced.body());

            await("the forced promotion makes it MASTER with a master Redis", () -> "MASTER".equals(vip(admin).get("state"))
                    && orphan.command("INFO", "replication").contains("role:master"));
            assertEquals(null, vip(admin).get("promotion_refused"));
            // the promotion's sentence is written once its steps are done, which may be after Redis answers master
            await("the log names the operator's forcing", () -> log().contains("forced by the operator"));

            HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
                    + "/vrrp/nosuch/promote")).header("Authorization", "Bearer tok")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, unknown.statusCode(), unknown.body());
        }
    }

    /**
     * Hostile run, fault 3: the standby's promotion failed and it went FAULT (right), then stayed FAULT for minutes
     * although its Redis replicated the new master with the link up — the guard lifted only after a replicate
     * action, and none runs in FAULT with the master unknown. Now the redis check's INFO lifts it.
     */
    @Test
    void refusedStandby_whoseRedisIsSeenReplicatingWithTheLinkUp_leavesFaultWithoutTheOperator() throws Exception {
        try (RedisServer orphan = RedisServer.builder().replicaOf("127.0.0.1", FreePorts.tcp()).start();
             RedisServer master = RedisServer.start()) {
            int admin = FreePorts.tcp();
            startDaemon(admin, orphan.port(), """
                    checks:
                      redis: { type: redis, port: %d, interval: 200ms, timeout: 100ms, rise: 1, fall: 1 }
                    """.formatted(orphan.port()));
            await("the refused promotion puts the instance in FAULT", () -> "FAULT".equals(vip(admin).get("state"))
                    && vip(admin).get("promotion_refused") != null);

            // The operator (or the new master's agent) points it at a live master: it syncs, link up.
            orphan.command("REPLICAOF", "127.0.0.1", Integer.toString(master.port()));
            orphan.awaitMasterLinkUp(WAIT);

            await("the guard lifts by itself and the instance leaves FAULT", () -> vip(admin).get("promotion_refused") == null
                    && !"FAULT".equals(vip(admin).get("state")));
            assertTrue(log().contains("(vip) promotion guard lifted: the local Redis replicates 127.0.0.1:" + master.port()
                    + " with the link up (check redis)"), log());
            assertTrue(log().contains("(vip) FAULT -> BACKUP: the promotion guard lifted"), log());
        }
    }

    /**
     * Hostile run, fault 4: a node whose Redis restarted empty as a master must not promote it, and must not stay
     * out of the pair either: refused into FAULT, it makes its Redis a replica of the master it hears, and the
     * guard lifts. Here the refused Redis is a never-synced replica (the guard's other refusal), the peer a second
     * daemon on 127.0.0.2 whose Redis is a master with a key.
     */
    @Test
    void refusedNode_hearingAMaster_replicatesIt_andLeavesFault() throws Exception {
        try (RedisServer orphan = RedisServer.builder().replicaOf("127.0.0.1", FreePorts.tcp()).start();
             RedisServer live = RedisServer.builder().config("bind 127.0.0.1 127.0.0.2").start()) {
            live.command("SET", "acknowledged", "yes");
            int admin = FreePorts.tcp();
            int peerAdmin = FreePorts.tcp();
            int vrrpPort = freeUdpPort();
            daemon = spawn("a", """
                    node:
                      name: a
                      state_dir: "%s"
                      admin: { listen: "127.0.0.1:%d", token_file: "%s" }
                    vrrp:
                      vip:
                        vrid: 51
                        priority: 150
                        preempt: false
                        advert_interval: 100ms
                        version: 3
                        transport: udp
                        unicast: { source: 127.0.0.1, peers: ["127.0.0.2"], port: %d }
                        startup_delay: 300ms
                        on_master:
                          redis_promote: { port: %d, max_link_down: 10s }
                        on_backup:
                          redis_replicate: { port: %d, master_port: %d }
                    """.formatted(dir.resolve("a"), admin, token(), vrrpPort, orphan.port(), orphan.port(), live.port()));
            await("a refused into FAULT", () -> "FAULT".equals(vip(admin).get("state")) && vip(admin).get("promotion_refused") != null);

            peer = spawn("b", """
                    node:
                      name: b
                      state_dir: "%s"
                      admin: { listen: "127.0.0.2:%d", token_file: "%s" }
                    vrrp:
                      vip:
                        vrid: 51
                        priority: 100
                        preempt: false
                        advert_interval: 100ms
                        version: 3
                        transport: udp
                        unicast: { source: 127.0.0.2, peers: ["127.0.0.1"], port: %d }
                        startup_delay: 300ms
                        on_master:
                          redis_promote: { port: %d, max_link_down: 10s }
                    """.formatted(dir.resolve("b"), peerAdmin, token(), vrrpPort, live.port()));

            await("a replicates b's Redis, the guard lifts, a leaves FAULT", () -> vip(admin).get("promotion_refused") == null
                    && "BACKUP".equals(vip(admin).get("state")));
            assertTrue(log("a").contains("(vip) promotion refused, and 127.0.0.2 is MASTER: making the local Redis its replica"),
                    log("a"));
            orphan.awaitMasterLinkUp(WAIT);
            assertEquals("yes", orphan.command("GET", "acknowledged"), "the live master's data won");
            assertEquals("master", live.command("ROLE").lines().findFirst().orElse(""), "b's Redis stayed the master");
        }
    }

    private Path token() throws IOException {
        Path token = dir.resolve("admin.token");
        if (!Files.exists(token)) {
            Files.writeString(token, "tok\n");
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        }
        return token;
    }

    private Process spawn(String name, String yaml) throws IOException {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        return new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.haagent.agent.cli.Main", "run", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** The one daemon of the single-node tests, its config in haagent.yaml and its log in haagent.log. */
    private void startDaemon(int admin, int redisPort, String checks) throws IOException {
        daemon = spawn("haagent", """
                node:
                  name: guard
                  state_dir: "%s"
                  admin: { listen: "127.0.0.1:%d", token_file: "%s" }
                %svrrp:
                  vip:
                    vrid: 51
                    advert_interval: 100ms
                    version: 3
                    transport: udp
                    unicast: { source: 127.0.0.1, peers: ["127.0.0.2"], port: %d }
                    startup_delay: 300ms
                    on_master:
                      redis_promote: { port: %d, max_link_down: 10s }
                """.formatted(dir.resolve("state"), admin, token(), checks, freeUdpPort(), redisPort));
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> vip(int admin) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/status"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Object> status = (Map<String, Object>) Json.read(r.body());
            return ((List<Map<String, Object>>) status.get("vrrp")).getFirst();
        } catch (IOException | RuntimeException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /** The daemon's log; with two daemons, both, each under its name. */
    private String log() {
        if (Files.exists(dir.resolve("a.log"))) {
            return "--- a:\n" + log("a") + "\n--- b:\n" + log("b");
        }
        try {
            return Files.readString(dir.resolve("haagent.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private void await(String what, BooleanSupplier cond) {
        Eventually.within(WAIT, () -> what + "\n" + log(), () -> {
            if (cond.getAsBoolean()) {
                return true;
            }
            if (!daemon.isAlive()) {
                throw new AssertionError(what + ": the daemon exited\n" + log());
            }
            return false;
        });
    }
}
