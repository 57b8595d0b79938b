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
                    vrrp:
                      vip:
                        vrid: 51
                        advert_interval: 100ms
                        version: 3
                        transport: udp
                        unicast: { source: 127.0.0.1, peers: ["127.0.0.2"], port: %d }
                        startup_delay: 300ms
                        on_master:
                          redis_promote: { port: %d, max_link_down: 10s }
                    """.formatted(dir.resolve("state"), admin, token, vrrpPort, orphan.port()));
            daemon = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.haagent.agent.cli.Main", "run", "--config", config.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haagent.log").toFile()).start();

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
