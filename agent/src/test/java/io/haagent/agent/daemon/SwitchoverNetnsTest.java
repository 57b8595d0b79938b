package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.json.Json;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.NetnsLab;
import io.haagent.testkit.NetnsThread;
import io.haagent.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Issue 12: {@code POST /vrrp/NAME/switchover} (what {@code haagent ctl switchover} sends), end to end on two lab hosts
 * that each run {@code haagent run} with a real {@code redis-server}, and a third host writing through the service
 * address. A planned switchover loses no write Redis answered OK to, moves the address, leaves the old master's Redis
 * a replica of the new one, and does not preempt back (preempt: true, higher priority). A replica that lags (its
 * process stopped) refuses the switchover with the lag in bytes and changes nothing.
 */
class SwitchoverNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int REDIS_PORT = 6379;
    private static final int ADMIN_PORT = 9120;
    private static final String TOKEN = "switchover-test-token";

    @TempDir
    Path dir;

    private NetnsLab lab;
    private NetnsThread client;
    private final List<VrrpNode> nodes = new ArrayList<>();
    private final List<Long> stopped = new ArrayList<>();

    @BeforeEach
    void lab() throws Exception {
        RedisServer.assumeAvailable();
        NetnsLab.unavailableReason().ifPresent(why -> Assumptions.abort("network namespace tests skipped: " + why));
        lab = NetnsLab.create(3);
        client = NetnsThread.in(lab.host(2));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (long pid : stopped) {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
        }
        nodes.forEach(VrrpNode::close);
        if (client != null) {
            client.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void switchover_peerCaughtUp_noWriteLost_addressMoves_oldMasterReplicates_andDoesNotPreemptBack() throws Exception {
        NetnsLab.Host h0 = lab.host(0);
        NetnsLab.Host h1 = lab.host(1);
        String vip = lab.subnetPrefix() + "100";
        VrrpNode a = node(0, 150, false);
        a.awaitState("MASTER", WAIT);
        await("the address on n0", () -> hasAddress(h0, vip), a);
        VrrpNode b = node(1, 100, true);
        b.awaitState("BACKUP", WAIT);
        await("n1's Redis replicating n0", () -> LabRedis.replicates(client, h1.address(), REDIS_PORT, h0.address()), b);

        // Refusals that change nothing: not on the master, an unknown instance.
        Reply onBackup = post(h1, "/vrrp/redis-vip/switchover?reason=test");
        assertEquals(409, onBackup.status(), onBackup.body());
        assertTrue(onBackup.body().contains("is BACKUP on this node, not MASTER; the master is " + h0.address()
                + ": run it on " + h0.address()), onBackup.body());
        Reply unknown = post(h0, "/vrrp/nope/switchover");
        assertEquals(404, unknown.status(), unknown.body());
        assertTrue(unknown.body().contains("the instances are redis-vip"), unknown.body());

        RedisFailoverNetnsTest.Writer writer = new RedisFailoverNetnsTest.Writer(vip);
        CompletableFuture<Void> writing = client.start(() -> {
            writer.run();
            return null;
        });
        await("writes through the address", () -> writer.acked.size() >= 50, a);
        List<String> bBefore = b.states();

        long t0 = System.nanoTime();
        Reply r = post(h0, "/vrrp/redis-vip/switchover?reason=patching&timeout=5s");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(200, r.status(), r.body() + "\n" + a.log());
        b.awaitState("MASTER", WAIT);
        a.awaitState("BACKUP", WAIT);
        await("the address on n1 only", () -> hasAddress(h1, vip) && !hasAddress(h0, vip), b);
        await("n0's Redis replicating n1", () -> LabRedis.replicates(client, h0.address(), REDIS_PORT, h1.address()), a);
        long writtenAtHandOver = writer.written.size();
        await("writes go on through the address on n1", () -> writer.written.size() > writtenAtHandOver + 50, b);
        writer.stop.set(true);
        writing.get(30, TimeUnit.SECONDS);

        // Every write Redis answered OK to, before, during and after the switchover, is on the new master.
        Set<Long> written = Set.copyOf(writer.written);
        List<Long> missing = client.call(() -> {
            try (Jedis j = new Jedis(h1.address(), REDIS_PORT, 2000)) {
                return written.stream().filter(i -> j.get("w:" + i) == null).sorted().toList();
            }
        });
        assertEquals(List.of(), missing, "writes answered OK but missing on the new master (of " + written.size() + ")");
        Matcher m = Pattern.compile("\\(redis-vip\\) MASTER -> BACKUP: switchover requested by operator \\(reason patching\\): peer "
                + Pattern.quote(h1.address()) + ":" + REDIS_PORT + " caught up at offset (\\d+) in (\\d+) ms, sent priority 0 \\[event ")
                .matcher(a.log());
        assertTrue(m.find(), a.log());
        assertEquals(Long.parseLong(m.group(1)), json(r.body()).get("offset"), r.body());
        assertEquals(List.of("MASTER"), b.states().subList(bBefore.size(), b.states().size()), "n1: one transition");
        System.out.printf("switchover: replica caught up in %s ms; the reply (caught up, stepped down, n0's Redis a replica,"
                + " writes unpaused) after %d ms: %s; %d writes answered OK, %d failed%n", m.group(2), tookMs, r.body().replaceAll("\\s+", " "),
                written.size(), writer.failures.get());

        // preempt: true and 150 > 100, yet n0 follows n1: it stepped down on purpose, and says so in /status.
        Thread.sleep(2000); // more than a master-down interval (3 x 100 ms + skew) for a preemption to show
        assertEquals("BACKUP", a.state().orElseThrow());
        assertEquals("MASTER", b.state().orElseThrow());
        String status = get(h0, "/status").body();
        Map<?, ?> instance = (Map<?, ?>) ((List<?>) json(status).get("vrrp")).getFirst();
        assertEquals("STEPPED_DOWN", ((Map<?, ?>) instance.get("hold")).get("kind"), status);
    }

    @Test
    void laggingReplica_refusesWithTheLag_andChangesNothing() throws Exception {
        NetnsLab.Host h0 = lab.host(0);
        NetnsLab.Host h1 = lab.host(1);
        String vip = lab.subnetPrefix() + "100";
        VrrpNode a = node(0, 150, false);
        a.awaitState("MASTER", WAIT);
        await("the address on n0", () -> hasAddress(h0, vip), a);
        VrrpNode b = node(1, 100, true);
        b.awaitState("BACKUP", WAIT);
        await("n1's Redis replicating n0", () -> LabRedis.replicates(client, h1.address(), REDIS_PORT, h0.address()), b);
        RedisFailoverNetnsTest.Writer writer = new RedisFailoverNetnsTest.Writer(vip);
        CompletableFuture<Void> writing = client.start(() -> {
            writer.run();
            return null;
        });
        await("writes through the address", () -> writer.acked.size() >= 50, a);
        List<String> aBefore = a.states();
        List<String> bBefore = b.states();

        // The replica stops reading its master's stream: SIGSTOP its process (its checks tolerate 10 s, fall 50; each write waits 200 ms for it).
        long replicaPid = redisPid(b);
        stopped.add(replicaPid);
        new ProcessBuilder("kill", "-STOP", Long.toString(replicaPid)).start().waitFor(10, TimeUnit.SECONDS);
        long writtenBefore = writer.written.size();
        await("writes the stopped replica has not seen", () -> writer.written.size() > writtenBefore + 3, a);
        Reply r = post(h0, "/vrrp/redis-vip/switchover?reason=patching&timeout=500ms");
        new ProcessBuilder("kill", "-CONT", Long.toString(replicaPid)).start().waitFor(10, TimeUnit.SECONDS);
        stopped.remove(replicaPid);

        assertEquals(409, r.status(), r.body());
        Matcher lag = Pattern.compile("is still (\\d+) bytes behind").matcher(r.body());
        assertTrue(lag.find() && Long.parseLong(lag.group(1)) > 0, r.body());
        assertTrue(r.body().contains("writes resumed, nothing moved"), r.body());
        // Nothing moved: n0 MASTER with the address and a master Redis, writes acknowledged again, no transition.
        long ackedAfter = writer.acked.size();
        await("writes acknowledged again after the refusal", () -> writer.acked.size() > ackedAfter + 50, a);
        writer.stop.set(true);
        writing.get(30, TimeUnit.SECONDS);
        assertEquals("MASTER", a.state().orElseThrow());
        assertTrue(hasAddress(h0, vip) && !hasAddress(h1, vip), "the address stayed on n0");
        assertEquals("master", LabRedis.replication(client, h0.address(), REDIS_PORT).get("role"));
        assertEquals(aBefore, a.states(), "n0: no transition");
        assertEquals(bBefore, b.states(), "n1: no transition");
        assertTrue(a.log().contains("(redis-vip) switchover refused: peer " + h1.address() + ":" + REDIS_PORT + " is still "),
                a.log());
    }

    @Test
    void drain_masterHandsOver_thenStaysOutOfElectionsWhenThePeerDies_untilResumed() throws Exception {
        NetnsLab.Host h0 = lab.host(0);
        NetnsLab.Host h1 = lab.host(1);
        String vip = lab.subnetPrefix() + "100";
        VrrpNode a = node(0, 150, false);
        a.awaitState("MASTER", WAIT);
        VrrpNode b = node(1, 100, true);
        b.awaitState("BACKUP", WAIT);
        await("n1's Redis replicating n0", () -> LabRedis.replicates(client, h1.address(), REDIS_PORT, h0.address()), b);

        Reply r = post(h0, "/node/drain?reason=kernel");

        assertEquals(200, r.status(), r.body() + "\n" + a.log());
        b.awaitState("MASTER", WAIT);
        await("the address on n1 only", () -> hasAddress(h1, vip) && !hasAddress(h0, vip), b);
        await("n0's Redis replicating n1", () -> LabRedis.replicates(client, h0.address(), REDIS_PORT, h1.address()), a);
        Map<?, ?> status = json(get(h0, "/status").body());
        assertTrue(String.valueOf(status.get("drained")).startsWith("node drained by operator (reason kernel)"), status.toString());
        Map<?, ?> instance = (Map<?, ?>) ((List<?>) status.get("vrrp")).getFirst();
        assertEquals("DRAINED", ((Map<?, ?>) instance.get("hold")).get("kind"), status.toString());

        // The new master dies without a word: a drained node does not take over.
        b.kill();
        Eventually.within(WAIT, () -> "n0 to say why it does not take over\n" + a.log(),
                () -> a.log().contains("(redis-vip) master " + h1.address() + " silent for "));
        assertTrue(a.log().contains("staying BACKUP because the node is drained (node drained by operator (reason kernel)"),
                a.log());
        assertEquals("BACKUP", a.state().orElseThrow());

        Reply resumed = post(h0, "/node/resume");
        assertEquals(200, resumed.status(), resumed.body());
        a.awaitState("MASTER", WAIT);
        assertTrue(a.log().contains("(redis-vip) node resumed by operator (reason operator request): takes part in elections again"),
                a.log());
    }

    private VrrpNode node(int i, int priority, boolean replica) throws IOException {
        NetnsLab.Host me = lab.host(i);
        NetnsLab.Host peer = lab.host(1 - i);
        Path nodeDir = Files.createDirectories(dir.resolve("n" + i));
        Files.writeString(nodeDir.resolve("redis.conf"), """
                bind 0.0.0.0
                port %d
                dir %s
                save ""
                appendonly no
                repl-diskless-sync-delay 0
                protected-mode no
                daemonize no
                %s""".formatted(REDIS_PORT, nodeDir, replica ? "replicaof " + peer.address() + " " + REDIS_PORT + "\n" : ""));
        Path token = nodeDir.resolve("admin.token");
        Files.writeString(token, TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        String yaml = """
                node:
                  name: n%1$d
                  state_dir: "@DIR@/state"
                  admin: { listen: "%6$s:%10$d", token_file: "@DIR@/admin.token" }
                checks:
                  redis: { type: redis, host: 127.0.0.1, port: %2$d, interval: 200ms, timeout: 150ms, rise: 1, fall: 50 }
                services:
                  redis:
                    checks: [redis]
                    process: { command: ["%3$s", "@DIR@/redis.conf"], workdir: "@DIR@", stop_timeout: 3s, start_grace: 1s }
                    restart: { backoff: { initial: 100ms, max: 1s }, max_restarts: 10, within: 1m }
                vrrp:
                  redis-vip:
                    vrid: 52
                    priority: %4$d
                    advert_interval: 100ms
                    version: 3
                    transport: ip
                    interface: %5$s
                    unicast: { source: %6$s, peers: [%7$s] }
                    preempt: true
                    startup_delay: 300ms
                    track: [ { check: redis, weight: 0 } ]
                    on_master:
                      redis_promote: { host: 127.0.0.1, port: %2$d, config_rewrite: true, max_link_down: 10s }
                      address:
                        local: { ip: %8$s/%9$d, interface: %5$s }
                    on_backup:
                      redis_replicate: { host: 127.0.0.1, port: %2$d, config_rewrite: true }
                    @NOTIFY@
                """.formatted(i, REDIS_PORT, RedisServer.binary(), priority, me.iface(), me.address(), peer.address(),
                lab.subnetPrefix() + "100", me.prefixLength(), ADMIN_PORT);
        VrrpNode n = VrrpNode.startYaml("n" + i, me, dir, "redis-vip", yaml);
        nodes.add(n);
        return n;
    }

    private record Reply(int status, String body) {}

    private static Map<?, ?> json(String body) {
        return (Map<?, ?>) Json.read(body);
    }

    private Reply post(NetnsLab.Host to, String path) {
        return http(to, "POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    private Reply get(NetnsLab.Host to, String path) {
        return http(to, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    }

    /** One HTTP/1.1 exchange from the client host (a plain socket: it is created on the thread in the namespace). */
    private Reply http(NetnsLab.Host to, String request) {
        return client.call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(to.address(), ADMIN_PORT), 2000);
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int status = Integer.parseInt(text.substring(9, 12));
                int body = text.indexOf("\r\n\r\n");
                return new Reply(status, body < 0 ? "" : text.substring(body + 4));
            }
        });
    }

    private boolean hasAddress(NetnsLab.Host h, String ip) {
        try {
            return h.exec("ip", "-4", "-o", "addr", "show", "dev", h.iface()).contains(" " + ip + "/");
        } catch (IOException e) {
            return false;
        }
    }

    private static long redisPid(VrrpNode n) throws IOException {
        return Long.parseLong(Files.readString(n.dir.resolve("state/run/redis.pid")).strip().split("\\s+")[0]);
    }

    private void await(String what, BooleanSupplier cond, VrrpNode about) {
        Eventually.within(WAIT, () -> {
            StringBuilder logs = new StringBuilder();
            for (VrrpNode n : nodes) {
                logs.append(n.name).append("'s log:\n").append(n.log()).append('\n');
            }
            return what + " (about " + about.name + ")\n" + logs;
        }, cond::getAsBoolean);
    }
}
