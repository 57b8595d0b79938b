package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.checker.probe.RedisReplication;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.Keepalived;
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
import java.util.Optional;
import io.haagent.testkit.Eventually.Condition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Issue 13: a planned agent restart ({@code POST /agent/restart}, what {@code apt upgrade haagent} does) of the MASTER
 * failed the pair over: the stopping agent sent priority 0, so the peer took over after its skew time while the old
 * node's Redis, left running, was still a master — two Redis masters. Now a v3 MASTER hands over with a long advert
 * interval (the peer adopts it, RFC 5798 §6.4.2) and the next agent resumes MASTER at once. On three lab hosts: haagent
 * with a supervised {@code redis-server} as MASTER, Debian's keepalived as the BACKUP peer (which must never take
 * over), and a client that reads the Redis throughout.
 */
class PlannedRestartNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int REDIS_PORT = 6379;
    private static final int ADMIN_PORT = 9121;
    private static final String TOKEN = "planned-restart-token";

    @TempDir
    Path dir;

    private NetnsLab lab;
    private NetnsThread client;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final List<Long> redisPids = new ArrayList<>();

    @BeforeEach
    void lab() throws Exception {
        RedisServer.assumeAvailable();
        Keepalived.unavailableReason().ifPresent(why -> Assumptions.abort("keepalived interop skipped: " + why));
        NetnsLab.unavailableReason().ifPresent(why -> Assumptions.abort("network namespace tests skipped: " + why));
        lab = NetnsLab.create(3);
        client = NetnsThread.in(lab.host(2));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
        // the Redis outlives its first agent by design: not a descendant of the second
        redisPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        if (client != null) {
            client.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private String vip() {
        return lab.subnetPrefix() + "100";
    }

    @Test
    void plannedRestartOfTheMaster_keepalivedPeerNeverTakesOver_andTheRedisStaysTheOneMaster() throws Exception {
        NetnsLab.Host h0 = lab.host(0);
        VrrpNode a = haagent();
        a.awaitState("MASTER", WAIT);
        await("the address on n0", () -> hasAddress(h0, vip()), a);
        Keepalived k = keepalived();
        k.awaitState("BACKUP", WAIT);
        Eventually.within(WAIT, () -> "keepalived to follow haagent; its log:\n" + k.log(),
                () -> k.masterAddress().equals(Optional.of(h0.address())));
        Map<String, String> redisBefore = redisServer();
        redisPids.add(Long.parseLong(redisBefore.get("process_id")));

        List<String> hooksBefore = a.states();
        Reply r = post(h0, "/agent/restart?reason=upgrade");
        assertEquals(200, r.status(), r.body());
        assertEquals(75, a.awaitExit(WAIT), "the status the unit maps to a restart\n" + a.log());
        // No agent runs now: the peer must not take over, the Redis stays master and the address stays here.
        hold(Duration.ofSeconds(5), k, a);

        a.launch(); // what systemd does on status 75
        Eventually.within(WAIT, () -> "n0 to resume MASTER\n" + a.log(),
                () -> a.log().contains("(redis-vip) INIT -> MASTER: resumed after a planned agent restart "));
        assertEquals("MASTER", a.state().orElseThrow());
        // the resumed master advertises its own 1 s again: keepalived re-adopts it and goes on following
        hold(Duration.ofSeconds(5), k, a);

        assertEquals(List.of("BACKUP"), k.transitions().stream().map(Map.Entry::getValue).toList(),
                "keepalived never took over; its log:\n" + k.log());
        assertEquals(Optional.of(h0.address()), k.masterAddress(), "keepalived still follows haagent");
        assertEquals(List.of("MASTER"), a.states().subList(hooksBefore.size(), a.states().size()),
                "n0's hooks since the restart: MASTER again, no STOP");
        assertEquals(redisBefore.get("run_id"), redisServer().get("run_id"), "the same Redis process throughout");
        assertTrue(a.log().contains("(redis-vip) MASTER handed over for a planned agent restart: advertised priority 150"
                + " with a 10.00s interval"), a.log());
        a.log().lines().filter(l -> l.contains("handed over") || l.contains("resumed after") || l.contains("redis 127."))
                .forEach(l -> System.out.println("planned restart: " + l));
    }

    /**
     * For {@code d}: keepalived stays BACKUP, n0's Redis stays master, the address stays on n0. Samples the whole
     * window and then names every one that broke, and after how long.
     */
    private void hold(Duration d, Keepalived k, VrrpNode a) throws InterruptedException {
        long t0 = System.nanoTime();
        Map<String, Long> broke = new java.util.LinkedHashMap<>();
        while (System.nanoTime() - t0 < d.toNanos()) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (!k.state().equals(Optional.of("BACKUP"))) {
                broke.putIfAbsent("keepalived took over (" + k.state().orElse("no state") + ")", ms);
            }
            if (!"master".equals(LabRedis.replication(client, lab.host(0).address(), REDIS_PORT).get("role"))) {
                broke.putIfAbsent("n0's Redis is not master", ms);
            }
            if (!hasAddress(lab.host(0), vip())) {
                broke.putIfAbsent("the address left n0", ms);
            }
            Thread.sleep(100);
        }
        assertEquals(Map.of(), broke, "what broke, after how many ms; keepalived's log:\n" + k.log() + "\nn0:\n" + a.log());
    }

    private Map<String, String> redisServer() {
        return client.call(() -> {
            try (Jedis j = new Jedis(lab.host(0).address(), REDIS_PORT, 2000)) {
                return RedisReplication.parseInfo(j.info("server"));
            } catch (JedisException e) {
                throw new AssertionError("n0's Redis does not answer", e);
            }
        });
    }

    private Keepalived keepalived() throws Exception {
        NetnsLab.Host me = lab.host(1);
        Keepalived k = Keepalived.start(me, Files.createDirectories(dir.resolve("keepalived")), """
                vrrp_instance VI_1 {
                    state BACKUP
                    interface %s
                    virtual_router_id 51
                    priority 100
                    advert_int 1
                    version 3
                    unicast_src_ip %s
                    unicast_peer {
                        %s
                    }
                    virtual_ipaddress {
                        %s/%d dev %s
                    }
                    @NOTIFY@
                }
                """.formatted(me.iface(), me.address(), lab.host(0).address(), vip(), me.prefixLength(), me.iface()));
        running.add(k);
        return k;
    }

    private VrrpNode haagent() throws IOException {
        NetnsLab.Host me = lab.host(0);
        Path nodeDir = Files.createDirectories(dir.resolve("n0"));
        Files.writeString(nodeDir.resolve("redis.conf"), """
                bind 0.0.0.0
                port %d
                dir %s
                save ""
                appendonly no
                protected-mode no
                daemonize no
                """.formatted(REDIS_PORT, nodeDir));
        Path token = nodeDir.resolve("admin.token");
        Files.writeString(token, TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        String yaml = """
                node:
                  name: n0
                  state_dir: "@DIR@/state"
                  admin: { listen: "%4$s:%8$d", token_file: "@DIR@/admin.token" }
                checks:
                  redis: { type: redis, host: 127.0.0.1, port: %1$d, interval: 200ms, timeout: 150ms, rise: 1, fall: 50 }
                services:
                  redis:
                    checks: [redis]
                    process: { command: ["%2$s", "@DIR@/redis.conf"], workdir: "@DIR@", stop_timeout: 3s, start_grace: 1s }
                vrrp:
                  redis-vip:
                    vrid: 51
                    priority: 150
                    advert_interval: 1s
                    version: 3
                    transport: ip
                    interface: %3$s
                    unicast: { source: %4$s, peers: [%5$s] }
                    track: [ { check: redis, weight: 0 } ]
                    on_master:
                      redis_promote: { host: 127.0.0.1, port: %1$d }
                      address:
                        local: { ip: %6$s/%7$d, interface: %3$s }
                    @NOTIFY@
                """.formatted(REDIS_PORT, RedisServer.binary(), me.iface(), me.address(), lab.host(1).address(),
                vip(), me.prefixLength(), ADMIN_PORT);
        VrrpNode n = VrrpNode.startYaml("n0", me, dir, "redis-vip", yaml);
        running.add(n);
        return n;
    }

    private void await(String what, Condition condition, VrrpNode n) {
        Eventually.within(WAIT, () -> what + "\n" + n.log(), condition);
    }

    private boolean hasAddress(NetnsLab.Host h, String ip) {
        try {
            return h.exec("ip", "-4", "-o", "addr", "show", "dev", h.iface()).contains(" " + ip + "/");
        } catch (IOException e) {
            return false;
        }
    }

    private record Reply(int status, String body) {}

    /** One HTTP/1.1 POST from the client host (a plain socket: it is created on the thread in the namespace). */
    private Reply post(NetnsLab.Host to, String path) {
        String request = "POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
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
}
