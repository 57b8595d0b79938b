package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haagent.agent.json.Json;
import io.haagent.failover.vrrp.instance.StateFile;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.RedisServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code haagent run} daemons electing over the {@code udp} transport on loopback, driven and read
 * the way an operator does: {@code /status}, {@code /metrics}, {@code haagent status}, state files,
 * notify hooks and reloads.
 *
 * <p>The two ends need two loopback addresses (the machine ignores an advert from its own
 * {@code unicast.source}, so 127.0.0.1:A and 127.0.0.1:B cannot elect), and {@code haagent run} lints its
 * config with the host checks, which know only the addresses listed on an interface (127.0.0.1, not the
 * rest of 127/8). So the pair runs in a private network namespace of its own whose {@code lo} also
 * carries 127.0.0.2: still loopback only, nothing of the host's network is touched. The test reaches the
 * admin API with {@code curl} inside that namespace. Without root (or unshare/nsenter/curl) it is skipped.
 */
class VrrpUdpDaemonTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    @TempDir
    Path dir;

    private Process netns;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Process> helpers = new ArrayList<>();

    @AfterEach
    void stopAll() {
        for (Node n : nodes) {
            n.kill();
        }
        for (Process p : helpers) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (netns != null) {
            netns.destroyForcibly();
        }
    }

    // --- the tests ------------------------------------------------------------------------------------

    @Test
    void twoDaemons_electOverUdpWithHmac_andSayItInStatusMetricsAndTheCli() throws Exception {
        privateLoopback();
        Node a = node("a", "127.0.0.1", 150);
        Node b = node("b", "127.0.0.2", 100);
        a.start();
        a.awaitState("MASTER");
        b.start(); // after a: a fresh node stays BACKUP while it hears a higher priority master
        b.awaitState("BACKUP");
        Map<String, Object> bs = await(() -> b.vip(), s -> heard(s) != null, "b hears a");

        assertEquals("BACKUP", bs.get("state"));
        assertEquals(true, bs.get("running"));
        assertEquals(100L, bs.get("priority"));
        assertEquals("127.0.0.1", bs.get("master"));
        Map<String, Object> peer = peers(bs).getFirst();
        assertEquals("127.0.0.1", peer.get("address"));
        assertEquals(150L, peer.get("priority"), "the master's advertised priority");
        assertNotNull(bs.get("event_id"));

        Map<String, Object> as = a.vip();
        assertEquals("MASTER", as.get("state"));
        assertEquals(150L, as.get("priority"));
        assertEquals("127.0.0.1", as.get("master"), "a MASTER names itself");
        assertEquals(List.of("BACKUP"), b.states(), "b: " + b.transitions() + "\n" + b.log());
        assertNull(heard(as), "a BACKUP is silent, so the master never hears it: " + as);
        assertEquals(a.stateFile().get("event_id"), as.get("event_id"), "/status and the state file tell the same event");

        String am = await(a::metrics, m -> value(m, "haagent_vrrp_adverts_sent_total{vrrp_instance=\"vip\"}") >= 5, "a sends");
        assertEquals(2.0, value(am, "haagent_vrrp_state{vrrp_instance=\"vip\"}"), am);
        assertEquals(1.0, value(am, "haagent_vrrp_transitions_total{vrrp_instance=\"vip\",to=\"MASTER\"}"), am);
        String bm = b.metrics();
        assertEquals(1.0, value(bm, "haagent_vrrp_state{vrrp_instance=\"vip\"}"), bm);
        assertEquals(1.0, value(bm, "haagent_vrrp_transitions_total{vrrp_instance=\"vip\",to=\"BACKUP\"}"), bm);
        // Issue 12: counters exist at 0 from the start (they were absent until their first event).
        assertEquals(0.0, value(bm, "haagent_vrrp_transitions_total{vrrp_instance=\"vip\",to=\"MASTER\"}"), bm);
        assertEquals(0.0, value(bm, "haagent_vrrp_adverts_dropped_total{vrrp_instance=\"vip\",reason=\"bad_auth\"}"), bm);

        String bCli = b.cli("status");
        assertTrue(bCli.contains("VRRP  STATE   SINCE  PRIORITY  MASTER     PEERS HEARD"), bCli);
        assertTrue(Pattern.compile("(?m)^vip   BACKUP  \\d+s +100       127\\.0\\.0\\.1  127\\.0\\.0\\.1 \\d+s ago \\(prio 150\\)$")
                .matcher(bCli).find(), bCli);
        String aCli = a.cli("status");
        assertTrue(Pattern.compile("(?m)^vip   MASTER  \\d+s +150       127\\.0\\.0\\.1  127\\.0\\.0\\.2 never$")
                .matcher(aCli).find(), aCli);

        // A graceful stop hands over at once (priority 0), not after the master down interval.
        long t0 = System.nanoTime();
        a.stop();
        b.awaitState("MASTER");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals("STOP", a.stateFile().get("state"));
        assertTrue(b.stateFile().get("reason").contains("priority 0"), b.stateFile().toString());
        assertTrue(tookMs < 5_000, "took " + tookMs + " ms");
    }

    @Test
    void aWrongHmacKey_dropsAdvertsAsBadAuth_andBothBecomeMaster() throws Exception {
        privateLoopback();
        Node a = node("a", "127.0.0.1", 150);
        Node b = node("b", "127.0.0.2", 100);
        b.secret = "not the same key\n";
        a.start();
        a.awaitState("MASTER");
        b.start();
        b.awaitState("MASTER"); // it hears nothing it can trust: a split brain, as a split config must give
        String series = "haagent_vrrp_adverts_dropped_total{vrrp_instance=\"vip\",reason=\"bad_auth\"}";
        String bm = await(b::metrics, m -> value(m, series) >= 3, "b drops a's adverts");
        String am = await(a::metrics, m -> value(m, series) >= 3, "a drops b's adverts");
        double first = value(bm, series);
        await(b::metrics, m -> value(m, series) > first, "the count keeps growing");
        assertEquals(2.0, value(am, "haagent_vrrp_state{vrrp_instance=\"vip\"}"));
        assertEquals(2.0, value(b.metrics(), "haagent_vrrp_state{vrrp_instance=\"vip\"}"));
        assertEquals("MASTER", a.stateFile().get("state"), "a was not pushed out by an advert it cannot verify");

        Map<String, Object> bs = b.vip();
        assertNull(heard(bs), "a refused advert does not count as heard: " + bs);
        assertTrue(((Map<?, ?>) bs.get("drops")).get("bad_auth") instanceof Number n && n.longValue() > 0, bs.toString());
        String cli = b.cli("status");
        assertTrue(Pattern.compile("127\\.0\\.0\\.1 never; dropped \\d+ bad_auth").matcher(cli).find(), cli);
    }

    @Test
    void aTrackedCheckDown_sendsTheMasterToFault_andThePeerTakesOver_thenItPreemptsBack() throws Exception {
        privateLoopback();
        int port = 8080;
        Process web = webServer(port);
        Node a = node("a", "127.0.0.1", 150);
        a.checks = "  probe: { type: tcp, address: \"127.0.0.1:" + port + "\", interval: 200ms, timeout: 100ms, fall: 1, rise: 1 }\n";
        a.track = "[ { check: probe, weight: 0 } ]";
        Node b = node("b", "127.0.0.2", 100);
        a.start();
        await(a::status, s -> s.contains("\"state\" : \"UP\""), "the probe is up");
        a.awaitState("MASTER");
        b.start();
        b.awaitState("BACKUP");

        web.destroyForcibly();
        web.waitFor(10, TimeUnit.SECONDS);
        a.awaitState("FAULT");
        b.awaitState("MASTER");
        Map<String, Object> as = a.vip();
        assertEquals("FAULT", as.get("state"));
        assertTrue(a.stateFile().get("reason").contains("probe"), a.stateFile().toString());

        webServer(port);
        a.awaitState("MASTER");
        b.awaitState("BACKUP");
        // the state file is written before the notify hooks run (on their own thread): wait for the hooks' lines
        await(a::states, s -> s.size() >= 5, "a's hooks for the five transitions");
        await(b::states, s -> s.size() >= 3, "b's hooks for the three transitions");
        assertEquals(List.of("BACKUP", "MASTER", "FAULT", "BACKUP", "MASTER"), a.states(), "a: " + a.transitions());
        assertEquals(List.of("BACKUP", "MASTER", "BACKUP"), b.states(), "b: " + b.transitions());
    }

    /**
     * A Redis that haagent does not run (systemd does, say) dies: its check's watch connection closes, the
     * check runs at once and is DOWN, and the master leaves — although the check's next run is minutes away.
     */
    @Test
    void aRedisNotRunByHaagent_killed_isSeenAtOnceThroughTheWatch_notAtTheChecksNextRun() throws Exception {
        privateLoopback();
        assumeTrue(RedisServer.available(), "no redis-server");
        Process redis = inPrivateNamespace(RedisServer.binary().toString(), "--port", "6379",
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Files.createDirectories(dir.resolve("redis")).toString());
        await(() -> redisCli("PING"), "PONG"::equals, "redis answers");
        Node a = node("a", "127.0.0.1", 150);
        a.checks = "  redis: { type: redis, host: 127.0.0.1, port: 6379, interval: 10m, timeout: 1s, fall: 3, rise: 1 }\n";
        a.track = "[ { check: redis, weight: 0 } ]";
        Node b = node("b", "127.0.0.2", 100);
        a.start();
        a.awaitState("MASTER");
        b.start();
        b.awaitState("BACKUP");
        await(() -> redisCli("CLIENT", "LIST"), l -> l.contains("name=haagent-watch"), "a's watch connection");

        redis.destroyForcibly();
        redis.waitFor(10, TimeUnit.SECONDS);

        a.awaitState("FAULT");
        b.awaitState("MASTER");
        assertTrue(Pattern.compile("check redis: (UNKNOWN|UP) -> DOWN .*connect refused").matcher(a.log()).find(), a.log());
        assertTrue(a.stateFile().get("reason").contains("redis"), a.stateFile().toString());
    }

    @Test
    void reload_keepsAnUnchangedInstance_restartsAChangedOne_stopsARemovedOne() throws Exception {
        privateLoopback();
        Node a = node("a", "127.0.0.1", 150);
        Node b = node("b", "127.0.0.2", 100);
        a.start();
        a.awaitState("MASTER");
        b.start();
        b.awaitState("BACKUP");
        await(b::vip, s -> heard(s) != null, "b hears a");

        // 1. Nothing in vrrp changes: the instance runs on, no transition, the same event.
        String eventBefore = a.stateFile().get("event_id");
        List<String> aBefore = a.transitions();
        a.checks = "  extra: { type: tcp, address: \"127.0.0.1:1\", interval: 1s }\n";
        String reply = a.reload();
        assertTrue(reply.contains("checks added extra") && !reply.contains("vrrp"), reply);
        await(a::status, s -> s.contains("\"name\" : \"extra\""), "the new check runs");
        assertEquals(eventBefore, a.stateFile().get("event_id"));
        assertEquals(eventBefore, a.vip().get("event_id"));
        assertEquals(aBefore, a.transitions());
        assertEquals(1.0, value(a.metrics(), "haagent_vrrp_transitions_total{vrrp_instance=\"vip\",to=\"MASTER\"}"));
        assertEquals(List.of("BACKUP"), b.states());

        // 2. The master's priority (still the highest), its notify and track lists, and the backup's priority change:
        //    both take them in place and keep the election (as keepalived does): no transition, no hook, no mail.
        a.priority = 160;
        a.secondHook = true;
        a.track = "[ { check: extra, weight: -5 } ]";
        await(a::status, st -> Pattern.compile("\"name\" : \"extra\",[^}]*\"state\" : \"DOWN\"").matcher(st).find(),
                "the extra check DOWN (nothing listens on port 1)");
        b.priority = 110;
        reply = a.reload();
        assertTrue(reply.contains("vrrp changed vip (in place)"), reply);
        assertTrue(b.reload().contains("vrrp changed vip (in place)"));
        await(b::vip, s -> heard(s) != null && Long.valueOf(155).equals(peers(s).getFirst().get("priority")),
                "b hears a's new priority, 160 less the down extra's 5");
        assertEquals(Long.valueOf(110), b.vip().get("configured_priority"));
        assertEquals(aBefore, a.transitions(), "a: no transition, no hook");
        assertEquals(List.of("BACKUP"), b.states(), "b: no transition, no hook");
        assertEquals(eventBefore, a.stateFile().get("event_id"));
        assertEquals("MASTER", a.vip().get("state"));
        assertEquals(Long.valueOf(160), a.vip().get("configured_priority"));
        assertTrue(a.log().contains("(vip) reconfigured in place by a reload (priority 150 -> 160, track, notify); still MASTER"
                + " at priority 155, advertised at once"), a.log());
        assertEquals(1.0, value(a.metrics(), "haagent_vrrp_transitions_total{vrrp_instance=\"vip\",to=\"MASTER\"}"));
        assertEquals(-1, a.log().indexOf("ERROR"), a.log());

        // 2b. A new vrid is another instance: restarted, and the reload says so.
        a.vrid = 52;
        b.vrid = 52;
        reply = a.reload();
        assertTrue(reply.contains("vrrp changed vip (restarted: vrid 51 -> 52)"), reply);
        assertTrue(b.reload().contains("vrrp changed vip (restarted: vrid 51 -> 52)"));
        assertTrue(a.log().contains("vip: stopping because a reload changed its identity (vrid 51 -> 52); starting it again"),
                a.log());
        a.awaitState("MASTER");
        await(b::vip, s -> "BACKUP".equals(s.get("state")) && heard(s) != null, "b follows a on vrid 52");

        // 3. The instance goes: stopped at once (INIT, priority 0), the peer takes over in about the skew time.
        a.withInstance = false;
        long t0 = System.nanoTime();
        reply = a.reload();
        assertTrue(reply.contains("vrrp removed vip"), reply);
        assertEquals("STOP", a.stateFile().get("state"), "stopped before the reload answers");
        b.awaitState("MASTER");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(tookMs < 2_000, "the peer took " + tookMs + " ms");
        assertTrue(b.stateFile().get("reason").contains("priority 0"), b.stateFile().toString());
        assertEquals(List.of(), Json.read(a.status()) instanceof Map<?, ?> m ? m.get("vrrp") : null);
        String am = a.metrics();
        assertFalse(am.contains("instance=\"vip\""), "no ghost meters of a removed instance:\n" + am);
    }

    /** Runs in the host's own namespace on 127.0.0.1 only: one instance, no peer answering. */
    @Test
    void anInstanceThatCannotStart_leavesTheDaemonRunning_saysWhy_andStartsOnAReloadOnceFreed() throws Exception {
        int admin = freeTcpPort();
        DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        int takenPort = taken.getLocalPort();
        int okPort;
        int peerPort;
        try (DatagramSocket s1 = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
             DatagramSocket s2 = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            okPort = s1.getLocalPort();
            peerPort = s2.getLocalPort();
        }
        Node n = new Node("solo", "127.0.0.1", admin, 100, null);
        nodes.add(n);
        n.checks = "  web: { type: tcp, address: \"127.0.0.1:1\", interval: 1s }\n";
        n.rawVrrp = """
                  taken:
                    vrid: 7
                    advert_interval: 100ms
                    version: 3
                    transport: udp
                    unicast: { source: 127.0.0.1, port: %d, peers: ["127.0.0.1:%d"] }
                  ok:
                    vrid: 8
                    advert_interval: 100ms
                    version: 3
                    transport: udp
                    unicast: { source: 127.0.0.1, port: %d, peers: ["127.0.0.1:%d"] }
                """.formatted(takenPort, peerPort, okPort, peerPort);
        try {
            n.start();
            Map<String, Object> t = await(() -> n.instance("taken"), s -> s != null, "taken is listed");
            assertEquals("NOT_RUNNING", t.get("state"));
            assertEquals(false, t.get("running"));
            assertTrue(String.valueOf(t.get("error")).contains(String.valueOf(takenPort)), t.toString());
            await(() -> n.instance("ok"), s -> s != null && "MASTER".equals(s.get("state")), "ok elects alone");
            assertTrue(n.status().contains("\"name\" : \"web\""), "the checks run");
            String m = n.metrics();
            assertEquals(-1.0, value(m, "haagent_vrrp_state{vrrp_instance=\"taken\"}"), m);
            assertEquals(2.0, value(m, "haagent_vrrp_state{vrrp_instance=\"ok\"}"), m);
            String cli = n.cli("status");
            assertTrue(Pattern.compile("(?m)^taken  NOT_RUNNING .*not started: .*" + takenPort).matcher(cli).find(), cli);
        } finally {
            taken.close();
        }
        // the cause is gone: a reload that changes nothing starts it
        String reply = n.reload();
        assertTrue(reply.contains("nothing changed"), reply);
        Map<String, Object> t = await(() -> n.instance("taken"), s -> s != null && "MASTER".equals(s.get("state")), "taken runs");
        assertEquals(true, t.get("running"));
        assertNull(t.get("error"));
        assertEquals(2.0, value(n.metrics(), "haagent_vrrp_state{vrrp_instance=\"taken\"}"));
    }

    // --- one daemon -----------------------------------------------------------------------------------

    /** A daemon of the pair in the private namespace: admin on its own address, vrrp instance "vip". */
    private Node node(String name, String address, int priority) {
        Node n = new Node(name, address, 7000 + nodes.size() + 1, priority, "--net=/proc/" + netns.pid() + "/ns/net");
        nodes.add(n);
        return n;
    }

    final class Node {
        final String name;
        final String address;
        final int admin;
        final String nsenter; // null: the host's namespace
        final Path home;
        int priority;
        String secret = "the shared key of vip\n";
        String checks = "";
        String track = "";
        String rawVrrp;
        boolean withInstance = true;
        int vrid = 51;
        /** The notify hook that records transitions, and a second one that only logs (a notify list to edit). */
        boolean secondHook;
        Process process;

        Node(String name, String address, int admin, int priority, String nsenter) {
            this.name = name;
            this.address = address;
            this.admin = admin;
            this.priority = priority;
            this.nsenter = nsenter;
            this.home = dir.resolve(name);
        }

        private String peer() {
            return address.equals("127.0.0.1") ? "127.0.0.2" : "127.0.0.1";
        }

        /**
         * startup_delay 1s, not the default 3 x 100 ms: a JVM that has just started can take longer than
         * that to admit its first adverts on a busy machine, and then a fresh node goes MASTER for a moment
         * (seen once: the master heard the newcomer's priority-100 advert).
         */
        void writeConfig() throws IOException {
            Files.createDirectories(home);
            Path token = home.resolve("admin.token");
            Files.writeString(token, "tok\n");
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
            Path key = home.resolve("vip.key");
            Files.writeString(key, secret);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            Path hook = home.resolve("notify.sh");
            Files.writeString(hook, "#!/bin/sh\necho \"$(date +%s%3N) $3 $4\" >> " + home.resolve("transitions.log") + "\n");
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
            StringBuilder y = new StringBuilder("node:\n  name: " + name + "\n  state_dir: " + home.resolve("state")
                    + "\n  admin: { listen: \"" + address + ":" + admin + "\", token_file: " + token + " }\n");
            if (!checks.isEmpty()) {
                y.append("checks:\n").append(checks);
            }
            if (rawVrrp != null) {
                y.append("vrrp:\n").append(rawVrrp);
            } else if (withInstance) {
                y.append("""
                        vrrp:
                          vip:
                            vrid: %d
                            priority: %d
                            advert_interval: 100ms
                            startup_delay: 1s
                            version: 3
                            transport: udp
                            unicast: { source: %s, peers: ["%s:9112"] }
                            auth: { type: hmac, secret_file: %s }
                            notify: ["%s"%s]
                        """.formatted(vrid, priority, address, peer(), key, hook, secondHook ? ", \"/bin/true\"" : ""));
                if (!track.isEmpty()) {
                    y.append("    track: ").append(track).append('\n');
                }
            }
            Files.writeString(home.resolve("haagent.yaml"), y);
        }

        void start() throws IOException {
            writeConfig();
            List<String> cmd = inNamespace(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
                    "io.haagent.agent.cli.Main", "run", "--config", home.resolve("haagent.yaml").toString()));
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("haagent.log").toFile())).start();
        }

        List<String> inNamespace(List<String> cmd) {
            if (nsenter == null) {
                return cmd;
            }
            List<String> c = new ArrayList<>(List.of("nsenter", nsenter, "--"));
            c.addAll(cmd);
            return c;
        }

        /** Writes the config as it now stands and asks the daemon to apply it; the reply body. */
        String reload() throws Exception {
            writeConfig();
            Http r = http("POST", "/reload");
            assertEquals(200, r.code(), r.body() + "\n" + log());
            return r.body();
        }

        Http http(String method, String path) throws IOException, InterruptedException {
            String out = run(inNamespace(List.of("curl", "-s", "-m", "10", "-X", method, "-H", "Authorization: Bearer tok",
                    "-w", "\n%{http_code}", "http://" + address + ":" + admin + path)));
            int nl = out.lastIndexOf('\n');
            return new Http(Integer.parseInt(out.substring(nl + 1).strip()), nl < 0 ? "" : out.substring(0, nl));
        }

        /** GET, 200 or an AssertionError (which {@link #await} retries). */
        String get(String path) {
            try {
                if (process != null && !process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + "\n" + log());
                }
                Http r = http("GET", path);
                if (r.code() != 200) {
                    throw new AssertionError(name + " " + path + ": HTTP " + r.code());
                }
                return r.body();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        String status() {
            return get("/status");
        }

        String metrics() {
            return get("/metrics");
        }

        Map<String, Object> vip() {
            return instance("vip");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> instance(String instance) {
            Map<String, Object> s = (Map<String, Object>) Json.read(status());
            for (Map<String, Object> i : (List<Map<String, Object>>) s.getOrDefault("vrrp", List.of())) {
                if (instance.equals(i.get("name"))) {
                    return i;
                }
            }
            return null;
        }

        /** {@code haagent <args> --admin ...} as an operator runs it (in the daemon's namespace). */
        String cli(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
                    "io.haagent.agent.cli.Main"));
            cmd.addAll(List.of(args));
            cmd.addAll(List.of("--admin", address + ":" + admin, "--config", home.resolve("haagent.yaml").toString()));
            return run(inNamespace(cmd));
        }

        Map<String, String> stateFile() throws IOException {
            return StateFile.read(home.resolve("state").resolve("vip.state"));
        }

        void awaitState(String want) throws Exception {
            await(() -> {
                try {
                    return stateFile();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, m -> want.equals(m.get("state")), name + " " + want);
        }

        /** "millis STATE priority" per transition, as the notify hook saw them. */
        List<String> transitions() {
            try {
                Path f = home.resolve("transitions.log");
                return Files.exists(f) ? Files.readAllLines(f) : List.of();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        List<String> states() {
            return transitions().stream().map(l -> l.split(" ")[1]).toList();
        }

        String log() {
            try {
                Path f = home.resolve("haagent.log");
                return Files.exists(f) ? Files.readString(f) : "(no log)";
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), name + " stops on SIGTERM\n" + log());
        }

        void kill() {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }

        @Override
        public String toString() {
            return name + " log:\n" + log();
        }
    }

    record Http(int code, String body) {}

    // --- helpers ----------------------------------------------------------------------------------------

    /** A network namespace of the test's own whose loopback has 127.0.0.1 and 127.0.0.2. */
    private void privateLoopback() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for a network namespace");
        for (String tool : List.of("unshare", "nsenter", "curl", "ip")) {
            assumeTrue(onPath(tool), tool + " is not installed");
        }
        netns = new ProcessBuilder("unshare", "--net", "sh", "-c",
                "ip link set lo up && ip addr add 127.0.0.2/8 dev lo && echo ready && exec sleep 3600")
                .redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(netns.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assumeTrue("ready".equals(line), "cannot make a network namespace here: " + line);
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** A process in the private namespace, stopped after the test. */
    private Process inPrivateNamespace(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/proc/" + netns.pid() + "/ns/net", "--"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(Path.of(command[0]).getFileName() + ".log").toFile()))
                .start();
        helpers.add(p);
        return p;
    }

    /** redis-cli against 127.0.0.1:6379 in the private namespace; its output, trimmed. */
    private String redisCli(String... args) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/proc/" + netns.pid() + "/ns/net", "--",
                RedisServer.binary().resolveSibling("redis-cli").toString(), "-p", "6379"));
        cmd.addAll(List.of(args));
        try {
            return run(cmd).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** jwebserver on 127.0.0.1:port in the private namespace, up when this returns. */
    private Process webServer(int port) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        String jwebserver = Path.of(JAVA).resolveSibling("jwebserver").toString();
        Process p = new ProcessBuilder("nsenter", "--net=/proc/" + netns.pid() + "/ns/net", "--", jwebserver,
                "-b", "127.0.0.1", "-p", Integer.toString(port), "-d", www.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("www.log").toFile()))
                .start();
        helpers.add(p);
        await(() -> {
            try {
                return run(List.of("nsenter", "--net=/proc/" + netns.pid() + "/ns/net", "--", "curl", "-s", "-o",
                        "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + port + "/"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "200"::equals, "the web server listens");
        return p;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish");
        }
        return out;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Polls {@code what} until {@code ok}; bounded. Failures while polling (not up yet) are retried. */
    private <T> T await(Supplier<T> what, Predicate<T> ok, String description) throws Exception {
        Object[] last = new Object[2]; // the last value, the last error
        return Eventually.get(WAIT, () -> {
            StringBuilder sb = new StringBuilder(description + "; last: " + last[0]
                    + (last[1] == null ? "" : "; last error: " + last[1]));
            nodes.forEach(n -> sb.append("\n--- ").append(n).append("\ntransitions: ").append(n.transitions()));
            return sb.toString();
        }, () -> {
            try {
                T value = what.get();
                last[0] = value;
                return ok.test(value) ? Optional.ofNullable(value) : Optional.empty();
            } catch (IllegalStateException e) {
                throw e; // a daemon died: no point in waiting
            } catch (RuntimeException | AssertionError e) {
                last[1] = e;
                return Optional.empty();
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> peers(Map<String, Object> instance) {
        return (List<Map<String, Object>>) instance.get("peers");
    }

    /** The first peer's last_heard, null when never heard. */
    private static Object heard(Map<String, Object> instance) {
        return instance == null ? null : peers(instance).getFirst().get("last_heard");
    }

    /** The value of one series in a Prometheus scrape; NaN when absent. */
    /**
     * The value of the series written as {@code name{label="value",...}}, whose labels it must include (a VRRP
     * series also carries vrid and interface); NaN when there is none.
     */
    private static double value(String scrape, String series) {
        var wanted = Exposition.samples(series + " 0").getFirst();
        return Exposition.samples(scrape).stream()
                .filter(s -> s.name().equals(wanted.name()) && s.labels().entrySet().containsAll(wanted.labels().entrySet()))
                .mapToDouble(Exposition.Sample::value).findFirst().orElse(Double.NaN);
    }
}
