package io.haagent.demo;

import io.haagent.agent.json.Json;
import io.haagent.checker.probe.RedisReplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * One host of the demo: a {@code haagent run} process with its config, the Redis it supervises and
 * promotes, and (on the first node) the HTTP app it supervises. Everything lives under its own directory
 * and listens on its own loopback address (127.0.0.1, 127.0.0.2: every 127/8 address is this machine's,
 * so no root and no interface set-up is needed).
 */
final class DemoNode implements AutoCloseable {
    static final String INSTANCE = "redis-vip";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** What the demo hands every node. */
    record Setup(Path redisServer, int redisPort, int vrrpPort, int smtpPort, Path secret) {}

    final String name;
    final String address;
    final String peerAddress;
    final int priority;
    final int adminPort;
    final Path dir;
    private final Setup setup;
    /** The supervised HTTP app's port, when this node runs it. */
    final OptionalLong appPort;
    private Process process;

    DemoNode(String name, String address, String peerAddress, int priority, int adminPort, Path dir, Setup setup,
             OptionalLong appPort) {
        this.name = name;
        this.address = address;
        this.peerAddress = peerAddress;
        this.priority = priority;
        this.adminPort = adminPort;
        this.dir = dir;
        this.setup = setup;
        this.appPort = appPort;
    }

    Path redisConf() {
        return dir.resolve("redis.conf");
    }

    Path log() {
        return dir.resolve("haagent.log");
    }

    String adminUrl() {
        return "http://127.0.0.1:" + adminPort;
    }

    /**
     * Writes the Redis config ({@code replicaOf}: the master it starts as a replica of) and the haagent
     * config, and starts {@code haagent run} with this JVM's class path.
     */
    void start(Optional<String> replicaOf) throws IOException {
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "<p>the demo app of node " + name + "</p>\n");
        // Persistence off: the case where a restart of the master would wipe the data set, which is why
        // haagent fails over before it restarts a MASTER's Redis.
        Files.writeString(redisConf(), """
                bind %s
                port %d
                dir %s
                save ""
                appendonly no
                protected-mode no
                daemonize no
                logfile ""
                %s""".formatted(address, setup.redisPort(), dir, replicaOf.map(m -> "replicaof " + m + " "
                + setup.redisPort() + "\n").orElse("")));
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "demo-" + name + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("haagent.yaml"), config());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // as bin/haagent runs the daemon: small and steady
                "-XX:+UseSerialGC", "-Xms16m", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "--enable-native-access=ALL-UNNAMED", "-Dio.netty.allocator.type=unpooled",
                "-cp", System.getProperty("java.class.path"),
                "io.haagent.agent.cli.Main", "run", "--config", dir.resolve("haagent.yaml").toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
    }

    private String config() {
        String checks = """
                  redis: { type: redis, host: %s, port: %d, interval: 300ms, timeout: 250ms, rise: 1, fall: 2 }
                """.formatted(address, setup.redisPort());
        String services = """
                  redis:
                    checks: [redis]
                    process: { command: ["%s", "%s"], workdir: "%s", stop_timeout: 3s, start_grace: 1s }
                    restart: { backoff: { initial: 200ms, max: 2s }, max_restarts: 5, within: 1m }
                """.formatted(setup.redisServer(), redisConf(), dir);
        if (appPort.isPresent()) {
            long port = appPort.getAsLong();
            checks += """
                      app: { type: http, url: "http://127.0.0.1:%d/", interval: 300ms, timeout: 250ms, rise: 1, fall: 2 }
                    """.formatted(port);
            services += """
                      app:
                        checks: [app]
                        process: { command: ["%s", "-b", "127.0.0.1", "-p", "%d", "-d", "%s"], start_grace: 3s }
                        restart: { backoff: { initial: 200ms, max: 2s }, max_restarts: 5, within: 1m }
                    """.formatted(Path.of(System.getProperty("java.home"), "bin", "jwebserver"), port, dir.resolve("www"));
        }
        return """
                # haagent demo, node %1$s: written by `haagent demo`
                node:
                  name: %1$s
                  state_dir: "%2$s"
                  admin: { listen: "127.0.0.1:%3$d", token_file: "%4$s" }
                checks:
                %5$sservices:
                %6$svrrp:
                  %7$s:
                    vrid: 51
                    priority: %8$d
                    advert_interval: 200ms
                    version: 3
                    transport: udp
                    unicast: { source: %9$s, peers: ["%10$s"], port: %11$d }
                    auth: { type: hmac, secret_file: "%12$s" }
                    preempt: false
                    startup_delay: 1s
                    track: [ { check: redis, weight: 0 } ]
                    on_master:
                      redis_promote: { host: %9$s, port: %13$d, config_rewrite: true, max_link_down: 10s }
                    on_backup:
                      redis_replicate: { host: %9$s, port: %13$d, config_rewrite: true }
                notify:
                  mail:
                    smtp: { host: 127.0.0.1, port: %14$d, starttls: false }
                    from: "haagent@%1$s.demo.invalid"
                    to: ["ops@demo.invalid"]
                """.formatted(name, dir.resolve("state"), adminPort, dir.resolve("admin.token"), checks, services,
                INSTANCE, priority, address, peerAddress, setup.vrrpPort(), setup.secret(), setup.redisPort(),
                setup.smtpPort());
    }

    /** {@code /status}, or empty while the daemon does not answer. */
    @SuppressWarnings("unchecked")
    Optional<Map<String, Object>> status() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl() + "/status"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of((Map<String, Object>) Json.read(r.body())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The VRRP instance's state as {@code /status} says, or "unreachable". */
    String vrrpState() {
        return row("vrrp", INSTANCE).map(r -> String.valueOf(r.get("state"))).orElse("unreachable");
    }

    /** A service's row of {@code /status}. */
    Optional<Map<String, Object>> service(String service) {
        return row("services", service);
    }

    /** The pid of a supervised service's process while it runs. */
    OptionalLong pid(String service) {
        return service(service).map(s -> s.get("pid") instanceof Number n ? OptionalLong.of(n.longValue())
                : OptionalLong.empty()).orElse(OptionalLong.empty());
    }

    @SuppressWarnings("unchecked")
    private Optional<Map<String, Object>> row(String section, String name) {
        return status().flatMap(s -> ((List<Map<String, Object>>) s.getOrDefault(section, List.of())).stream()
                .filter(r -> name.equals(r.get("name"))).findFirst());
    }

    /** {@code INFO replication} of this node's Redis as key → value; empty while it does not answer. */
    Map<String, String> redisReplication() {
        try (Jedis j = redis()) {
            return RedisReplication.parseInfo(j.info("replication"));
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    Jedis redis() {
        return new Jedis(address, setup.redisPort(), 1000);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The last lines of the daemon's log, for a failed step. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log());
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM (the daemon stops its children and hands MASTER over), SIGKILL after 15 s. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
