package io.haagent.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/**
 * {@code haagent demo}: a Redis pair with two haagent nodes on loopback, and the story an operator
 * cares about, played and checked step by step — election, a dead master Redis (promotion, CONFIG
 * REWRITE, mail), the old master back as a replica, a dead app restarted. No root, no cloud: the nodes
 * elect over the {@code udp} transport on 127.0.0.1 and 127.0.0.2, and the mail goes to a small SMTP
 * server inside this process. Exit 0 when every step happened, 1 naming the step that did not, 2 when
 * the demo cannot run here. Redis is {@code redis-server} from the PATH, else the one a Maven Central package
 * ships ({@link BundledRedis}), so the demo also runs where nothing can be installed.
 */
public final class DemoCommand {
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(40);
    private static final String KEY = "demo:greeting";

    private final PrintStream out;
    private final long t0 = System.nanoTime();
    private final List<DemoNode> nodes = new ArrayList<>();
    private final List<SmtpSink.Received> mails = new ArrayList<>();
    private SmtpSink smtp;

    private DemoCommand(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the demo; the exit status. The CLI finds this method by name ({@code io.haagent.agent.cli.DemoLauncher}):
     * the agent does not compile against the demo, which is on the class path only for {@code haagent demo}.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean keep = false;
        for (String a : args) {
            switch (a) {
                case "--keep-running" -> keep = true;
                case "-h", "--help" -> {
                    out.println("usage: haagent demo [--keep-running]\n\n"
                            + "Plays a Redis failover on loopback: two haagent nodes, two redis-servers, an app, a mail server.\n"
                            + "--keep-running leaves it all up afterwards, with the admin URLs printed (Ctrl-C ends it).");
                    return 0;
                }
                default -> {
                    err.println("haagent demo: unknown argument '" + a + "'; the only option is --keep-running");
                    return 2;
                }
            }
        }
        DemoCommand demo = new DemoCommand(out);
        Path dir;
        try {
            dir = Files.createTempDirectory("haagent-demo-");
        } catch (IOException e) {
            err.println("haagent demo: cannot create a work directory: " + e.getMessage());
            return 2;
        }
        Path redis;
        try {
            redis = BundledRedis.find(System.getenv("HAAGENT_DEMO_REDIS_SERVER"), dir);
        } catch (IOException e) {
            err.println("haagent demo: " + e.getMessage());
            deleteTree(dir);
            return 2;
        }
        Thread cleanup = new Thread(demo::stopAll, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean ok = false;
        try {
            ok = demo.play(dir, redis);
            if (ok && keep) {
                demo.keepRunning();
            }
        } catch (IOException e) {
            out.println("FAILED: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            demo.stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs stopAll again, which is idempotent
            }
        }
        if (ok) {
            deleteTree(dir);
            demo.say("done: every step happened");
            return 0;
        }
        out.println("the demo's files and logs are kept in " + dir);
        return 1;
    }

    private boolean play(Path dir, Path redisServer) throws IOException, InterruptedException {
        smtp = SmtpSink.start();
        int redisPort = freeTcpPort("127.0.0.1", "127.0.0.2");
        int vrrpPort = freeUdpPort("127.0.0.1", "127.0.0.2");
        Path secret = dir.resolve("vrrp.key");
        Files.writeString(secret, "the demo pair's shared secret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        DemoNode.Setup setup = new DemoNode.Setup(redisServer, redisPort, vrrpPort, smtp.port(), secret);
        DemoNode a = new DemoNode("a", "127.0.0.1", "127.0.0.2", 150, freeTcpPort("127.0.0.1"), dir.resolve("a"), setup,
                OptionalLong.of(freeTcpPort("127.0.0.1")));
        DemoNode b = new DemoNode("b", "127.0.0.2", "127.0.0.1", 100, freeTcpPort("127.0.0.1"), dir.resolve("b"), setup,
                OptionalLong.empty());
        nodes.add(a);
        nodes.add(b);
        say("haagent demo in " + dir + ": nodes a (127.0.0.1) and b (127.0.0.2), " + redisServer + " on port " + redisPort
                + ", VRRP over udp port " + vrrpPort + ", mail to 127.0.0.1:" + smtp.port());

        step("1. node a starts its Redis and its app and becomes MASTER");
        a.start(Optional.empty());
        if (!await("a is MASTER, its Redis and app run", () -> a.vrrpState().equals("MASTER")
                && running(a, "redis") && running(a, "app") ? Optional.of("a MASTER, redis pid " + a.pid("redis").getAsLong()
                + ", app pid " + a.pid("app").getAsLong()) : Optional.empty(), () -> "a: " + a.vrrpState(), a)) {
            return false;
        }

        step("2. node b starts its Redis as a replica of a's and becomes BACKUP");
        b.start(Optional.of(a.address));
        if (!await("b is BACKUP and its Redis replicates a", () -> b.vrrpState().equals("BACKUP")
                && replicating(b, a) ? Optional.of("b BACKUP, its Redis replica of " + a.address) : Optional.empty(),
                () -> "b: " + b.vrrpState() + ", " + role(b), b)) {
            return false;
        }
        try (Jedis j = a.redis()) {
            j.set(KEY, "written to a before the failover");
            long acked = j.waitReplicas(1, 2000);
            say("wrote " + KEY + " to a's Redis; acknowledged by " + acked + " replica");
        }

        step("3. kill the master's Redis (SIGKILL)");
        long redisA = a.pid("redis").orElseThrow();
        long killedAt = System.nanoTime();
        ProcessHandle.of(redisA).ifPresent(ProcessHandle::destroyForcibly);
        say("killed redis-server pid " + redisA + " of node a");
        if (!await("b takes over as MASTER", () -> b.vrrpState().equals("MASTER")
                ? Optional.of("b MASTER " + ms(System.nanoTime() - killedAt) + " after the kill") : Optional.empty(),
                () -> "a: " + a.vrrpState() + ", b: " + b.vrrpState(), b)) {
            return false;
        }
        if (!await("b's Redis is promoted and keeps the data", () -> role(b).equals("master") && keyPresent(b)
                ? Optional.of("role:master, " + KEY + " present") : Optional.empty(), () -> "b's Redis: " + role(b), b)) {
            return false;
        }
        if (!await("b's redis.conf was rewritten (no replicaof: a Redis restart stays master)",
                () -> conf(b).stream().noneMatch(l -> l.startsWith("replicaof"))
                        ? Optional.of(b.redisConf() + " has no replicaof line") : Optional.empty(),
                () -> String.join(" | ", conf(b).stream().filter(l -> l.startsWith("replicaof")).toList()), b)) {
            return false;
        }
        if (!awaitMail(b, DemoNode.INSTANCE + " BACKUP -> MASTER")) {
            return false;
        }
        mails.stream().filter(m -> m.subject().equals("[haagent] b: " + DemoNode.INSTANCE + " BACKUP -> MASTER")).findFirst()
                .ifPresent(m -> say("  its body:\n" + m.body().lines().map(l -> "        | " + l)
                        .collect(Collectors.joining("\n"))));

        step("4. a's Redis is restarted only after the failover, and comes back as b's replica");
        if (!await("a's Redis is restarted and a is BACKUP", () -> a.vrrpState().equals("BACKUP") && running(a, "redis")
                && a.pid("redis").orElse(redisA) != redisA ? Optional.of("a BACKUP, redis pid " + a.pid("redis").getAsLong())
                : Optional.empty(), () -> "a: " + a.vrrpState() + ", redis " + serviceState(a, "redis"), a)) {
            return false;
        }
        if (!await("a's Redis replicates b and has the data", () -> replicating(a, b) && keyPresent(a)
                ? Optional.of("replica of " + b.address + ", " + KEY + " present") : Optional.empty(),
                () -> "a's Redis: " + role(a), a)) {
            return false;
        }
        if (!await("a's redis.conf was rewritten to follow b", () -> conf(a).contains("replicaof " + b.address + " " + redisPort)
                ? Optional.of(a.redisConf() + ": replicaof " + b.address + " " + redisPort) : Optional.empty(),
                () -> String.join(" | ", conf(a).stream().filter(l -> l.startsWith("replicaof")).toList()), a)) {
            return false;
        }
        if (!awaitMail(a, "service redis restarted")) {
            return false;
        }

        step("5. kill the app on node a; haagent restarts it");
        long app = a.pid("app").orElseThrow();
        ProcessHandle.of(app).ifPresent(ProcessHandle::destroyForcibly);
        long appKilledAt = System.nanoTime();
        say("killed the app, pid " + app);
        // A new pid that answers HTTP is a restarted app; the service turns RUNNING only after its start grace.
        if (!await("the app is restarted and answers", () -> a.pid("app").orElse(app) != app && appAnswers(a) ? Optional.of("new pid " + a.pid("app").getAsLong() + ", HTTP 200, "
                + ms(System.nanoTime() - appKilledAt) + " after the kill") : Optional.empty(),
                () -> "app " + serviceState(a, "app"), a)) {
            return false;
        }
        if (!awaitMail(a, "service app restarted")) {
            return false;
        }

        step("mails received by the operators' mailbox");
        for (SmtpSink.Received m : mails) {
            say("  " + m.subject());
        }
        return true;
    }

    private void keepRunning() throws InterruptedException {
        step("left running (Ctrl-C stops it all)");
        for (DemoNode n : nodes) {
            say("node " + n.name + ": " + n.adminUrl() + "/status  " + n.adminUrl() + "/metrics  (haagent status --config "
                    + n.dir.resolve("haagent.yaml") + "; log " + n.log() + ")");
        }
        while (nodes.stream().allMatch(DemoNode::alive)) {
            Thread.sleep(1000);
        }
        say("a node stopped; see its log");
    }

    // --- observing ------------------------------------------------------------------------------------

    /**
     * Polls {@code probe} every 100 ms until it answers (printed as the step's result) or the step times
     * out (printed with {@code lastSeen} and the node's log tail). True when it answered.
     */
    private boolean await(String what, Supplier<Optional<String>> probe, Supplier<String> lastSeen, DemoNode about)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + STEP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> r = probe.get();
            if (r.isPresent()) {
                say("  ok  " + what + ": " + r.get());
                return true;
            }
            Thread.sleep(100);
        }
        say("FAILED: " + what + " did not happen within " + STEP_TIMEOUT.toSeconds() + "s; last seen: " + lastSeen.get());
        say("last lines of node " + about.name + "'s log (" + about.log() + "):\n" + about.logTail(25));
        return false;
    }

    /**
     * A mail from {@code from} whose subject names {@code summary}: alone ("[haagent] b: redis-vip BACKUP
     * -> MASTER") or in a digest ("[haagent] a: 4 events (..., service redis restarted, ...)"), since the
     * mailer sends the first mail at once and groups a burst into one digest per 10 s.
     */
    private boolean awaitMail(DemoNode from, String summary) throws InterruptedException {
        String prefix = "[haagent] " + from.name + ": ";
        return await("mail from " + from.name + " about \"" + summary + "\"", () -> {
            SmtpSink.Received m;
            while ((m = smtp.inbox().poll()) != null) {
                mails.add(m);
            }
            return mails.stream().map(SmtpSink.Received::subject).filter(s -> s.startsWith(prefix) && s.contains(summary))
                    .findFirst().map(s -> "\"" + s + "\"");
        }, () -> mails.size() + " mails so far: " + String.join(" | ", mails.stream().map(SmtpSink.Received::subject)
                .toList()), from);
    }

    private static boolean running(DemoNode n, String service) {
        return serviceState(n, service).equals("RUNNING") && n.pid(service).isPresent();
    }

    private static String serviceState(DemoNode n, String service) {
        return n.service(service).map(s -> String.valueOf(s.get("state"))).orElse("unknown");
    }

    private static String role(DemoNode n) {
        Map<String, String> info = n.redisReplication();
        return info.isEmpty() ? "not answering" : info.getOrDefault("role", "?")
                + (info.containsKey("master_host") ? " of " + info.get("master_host") + ", link "
                + info.getOrDefault("master_link_status", "?") : "");
    }

    private static boolean replicating(DemoNode replica, DemoNode master) {
        Map<String, String> info = replica.redisReplication();
        return "slave".equals(info.get("role")) && master.address.equals(info.get("master_host"))
                && "up".equals(info.get("master_link_status"));
    }

    private static boolean keyPresent(DemoNode n) {
        try (Jedis j = n.redis()) {
            return j.get(KEY) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static List<String> conf(DemoNode n) {
        try {
            return Files.readAllLines(n.redisConf()).stream().map(String::strip).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean appAnswers(DemoNode n) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.appPort.getAsLong() + "/"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // --- printing and plumbing ---------------------------------------------------------------------------

    private void step(String title) {
        out.println();
        say(title);
    }

    private void say(String line) {
        out.printf("[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, line);
        out.flush();
    }

    private static String ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }

    private synchronized void stopAll() {
        nodes.parallelStream().forEach(DemoNode::close);
        nodes.clear();
        if (smtp != null) {
            smtp.close();
            smtp = null;
        }
    }

    /**
     * A TCP port free on every one of {@code hosts}, so both nodes' Redis can use the same port; from below the
     * kernel's ephemeral range, so that no outgoing connection of a node already running takes it before the next
     * node binds it (binding port 0 picks from that range, and a demo run once lost node b's admin port that way).
     */
    static int freeTcpPort(String... hosts) throws IOException {
        return freePort(hosts, false);
    }

    static int freeUdpPort(String... hosts) throws IOException {
        return freePort(hosts, true);
    }

    private static int freePort(String[] hosts, boolean udp) throws IOException {
        int high = ephemeralLow();
        int low = Math.max(10_000, high - 20_000);
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(low, high);
            if (freeOnAll(port, hosts, udp)) {
                return port;
            }
        }
        throw new IOException("found no " + (udp ? "UDP" : "TCP") + " port free on " + String.join(" and ", hosts)
                + " between " + low + " and " + high);
    }

    /** The first port of the kernel's ephemeral range (net.ipv4.ip_local_port_range), 32768 when unknown. */
    static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > 11_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static boolean freeOnAll(int port, String[] hosts, boolean udp) {
        for (String h : hosts) {
            try {
                if (udp) {
                    new DatagramSocket(new InetSocketAddress(h, port)).close();
                } else {
                    new ServerSocket(port, 1, InetAddress.getByName(h)).close();
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is no failure of the demo
        }
    }
}
