package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.admin.Json;
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

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
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
            assertTrue(log().contains("forced by the operator"), log());

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

    private void startDaemon(int admin, int redisPort, String checks) throws IOException {
        int vrrpPort;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            vrrpPort = s.getLocalPort();
        }
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "tok\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path config = dir.resolve("haagent.yaml");
        Files.writeString(config, """
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
                """.formatted(dir.resolve("state"), admin, token, checks, vrrpPort, redisPort));
        daemon = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.haagent.agent.cli.Main", "run", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("haagent.log").toFile()).start();
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

    private String log() {
        try {
            return Files.readString(dir.resolve("haagent.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private void await(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!cond.getAsBoolean()) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + WAIT + "\n" + log());
            }
            Thread.sleep(50);
        }
    }
}
