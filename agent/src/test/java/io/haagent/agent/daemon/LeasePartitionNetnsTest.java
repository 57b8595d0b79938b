package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.Eventually;
import io.haagent.testkit.NetnsLab;
import io.haagent.testkit.NetnsThread;
import io.haagent.testkit.RedisServer;
import io.haagent.testkit.ZookeeperServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Issue 14, the partition with real parts: hosts n0 and n1 each run a real {@code redis-server} and {@code haagent run}
 * (ip transport, a {@code local} service address, {@code preempt: false}); a third host runs a real ZooKeeper server
 * as its own process (testkit's {@link ZookeeperServer}), a fourth is the client the final audit reads from. On n0 and
 * n1 a prober writes to its local Redis every 20 ms ({@code SET}, then {@code WAIT 1 20}), as an application on each host
 * would. The master (n0) is cut off the switch for 20 s, then put back.
 *
 * <p>The cut is {@link NetnsLab#partition}, not {@link NetnsLab#linkDown}: with its link down the master goes FAULT on
 * the link alone and stops taking writes with or without a lease, so nothing would show what the lease buys. Cut off
 * with its link up, as between two racks, each side elects itself; only the lease keeps n0 from taking writes while n1
 * does.
 *
 * <p>With {@code coordination.zookeeper} (session 6 s): the time both Redis accepted writes is 0 ms; the time with no
 * writable master is at most the session timeout + 2 s; after the heal n1 alone is MASTER and n0's Redis its replica;
 * no write a replica acknowledged is lost. The same scenario without the lease is the anchor: it only has to run, and
 * it prints what a partition costs without the lease (two writable masters for the whole partition).
 *
 * <p>{@code -Dhaagent.leasePartitionRuns=N} runs both N times more and prints each run (issue 14's benchmark).
 * {@code -Dhaagent.leaseBenchRuns=N} runs the rest of that benchmark N times in the same lab: a Redis crash and the
 * master host's death (lease on and off), and a ZooKeeper restart while MASTER (lease on). (A healed partition
 * once ended with no MASTER, both ends giving way to each other; VrrpLeaseTest's healedPartition_... pins the fix.)
 */
class LeasePartitionNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration SESSION = Duration.ofSeconds(6);
    private static final Duration PARTITION = Duration.ofSeconds(20);
    private static final Duration ZK_DOWN = Duration.ofSeconds(3);
    private static final int REDIS_PORT = 6379;
    private static final int N0 = 0;
    private static final int N1 = 1;
    private static final int ZK = 2;
    private static final int CLIENT = 3;

    @TempDir
    Path dir;

    private final List<Scenario> open = new ArrayList<>();

    @BeforeEach
    void realParts() {
        RedisServer.assumeAvailable();
        ZookeeperServer.assumeAvailable();
        NetnsLab.unavailableReason().ifPresent(why -> Assumptions.abort("network namespace tests skipped: " + why));
    }

    @AfterEach
    void cleanUp() {
        open.forEach(Scenario::close);
    }

    @Test
    void masterPartitioned20s_withTheLease_neverTwoWritableMasters_gapWithinSessionTimeout_oneMasterAfter_noAckedWriteLost()
            throws Exception {
        Result on = run(true, "lease-on");
        Result off = run(false, "lease-off");
        System.out.print("lease on, what the daemons said from the cut on:\n" + on.story());
        System.out.print("lease off, what the daemons said from the cut on:\n" + off.story());
        System.out.println(on.line());
        System.out.println(off.line());

        assertEquals(0, on.twoWritableMillis(), "ms with both Redis accepting writes\n" + on.logs());
        assertTrue(on.noWritableMillis() <= SESSION.plusSeconds(2).toMillis(), "ms with no writable master: "
                + on.noWritableMillis() + "\n" + on.logs());
        assertEquals(Optional.of(N1), on.finalMaster(), "after the heal exactly one MASTER, the new one\n" + on.logs());
        assertTrue(on.oldMasterReplicates(), "n0's Redis a replica of n1 after the heal\n" + on.logs());
        assertEquals(List.of(), on.ackedLost(), "acknowledged writes missing on the final master (of " + on.acked()
                + ")\n" + on.logs());
        assertTrue(off.probed(), "the anchor ran: " + off.line());
    }

    @Test
    @EnabledIfSystemProperty(named = "haagent.leasePartitionRuns", matches = "[1-9][0-9]*")
    void benchmark_leaseOnAndOff_repeated() throws Exception {
        int runs = Integer.parseInt(System.getProperty("haagent.leasePartitionRuns"));
        List<String> lines = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (boolean lease : List.of(true, false)) {
                Result res = run(lease, "bench-" + r + "-" + lease);
                lines.add("run " + r + " " + res.line());
                System.out.println(lines.getLast());
                open.removeLast().close(); // one lab at a time
            }
        }
        System.out.println("lease partition benchmark, " + runs + " runs:\n" + String.join("\n", lines));
    }

    /**
     * Issue 14's benchmark beyond the partition, {@code -Dhaagent.leaseBenchRuns=N} times: a Redis crash on the master
     * and the master host's death (lease on and off: the write gap), and a 3 s ZooKeeper restart while n0 is MASTER
     * (lease on only: failed writes and the longest write). One line per run, then min/median/max per row.
     */
    @Test
    @EnabledIfSystemProperty(named = "haagent.leaseBenchRuns", matches = "[1-9][0-9]*")
    void benchmark_redisCrash_hostDeath_zookeeperRestart() throws Exception {
        int runs = Integer.parseInt(System.getProperty("haagent.leaseBenchRuns"));
        Map<String, List<Long>> rows = new LinkedHashMap<>();
        for (int r = 1; r <= runs; r++) {
            for (boolean lease : List.of(true, false)) {
                bench(r, "redis crash", lease, Scenario::redisCrash, rows);
                bench(r, "host death", lease, Scenario::hostDeath, rows);
            }
            bench(r, "zookeeper restart", true, Scenario::zookeeperRestart, rows);
        }
        StringBuilder table = new StringBuilder("lease benchmark, " + runs + " runs (min / median / max):\n");
        rows.forEach((row, values) -> {
            List<Long> sorted = values.stream().sorted().toList();
            table.append(String.format(Locale.ROOT, "  %-52s %6d %6d %6d%n", row, sorted.getFirst(),
                    sorted.get(sorted.size() / 2), sorted.getLast()));
        });
        System.out.print(table);
    }

    /** One run of one benchmark scenario in a lab of its own, closed before the next; its line printed at once. */
    private void bench(int run, String scenario, boolean lease, Fault fault, Map<String, List<Long>> rows)
            throws Exception {
        Scenario s = new Scenario(lease, Files.createDirectories(dir.resolve(scenario.replace(' ', '-') + "-" + run
                + "-" + lease)));
        open.add(s);
        List<Metric> metrics = fault.inflict(s);
        open.removeLast().close();
        String mode = scenario + ", lease " + (lease ? "on" : "off");
        System.out.println("run " + run + " " + mode + ": " + String.join(", ", metrics.stream().map(Metric::toString)
                .toList()));
        metrics.forEach(m -> rows.computeIfAbsent(mode + ": " + m.name() + (m.unit().isEmpty() ? "" : " (" + m.unit()
                + ")"), k -> new ArrayList<>()).add(m.value()));
    }

    /** A benchmark scenario: brings the lab up, does its fault, and measures. */
    @FunctionalInterface
    private interface Fault {
        List<Metric> inflict(Scenario s) throws Exception;
    }

    /** One number a benchmark scenario measured. */
    record Metric(String name, long value, String unit) {
        @Override
        public String toString() {
            return name + " " + value + (unit.isEmpty() ? "" : " " + unit);
        }
    }

    private Result run(boolean lease, String name) throws Exception {
        Scenario s = new Scenario(lease, Files.createDirectories(dir.resolve(name)));
        open.add(s);
        return s.run();
    }

    /** One lab: the ZooKeeper host, the pair with its Redis and probers, the client; closed by the test's clean-up. */
    private static final class Scenario implements AutoCloseable {
        private final boolean lease;
        private final Path dir;
        private final NetnsLab lab;
        private final List<VrrpNode> nodes = new ArrayList<>();
        private final List<NetnsThread> threads = new ArrayList<>();
        private final List<Prober> probers = new ArrayList<>();
        private final List<CompletableFuture<Void>> probing = new ArrayList<>();
        private final List<Process> redis = new ArrayList<>();
        private NetnsThread client;
        private ZookeeperServer zk;

        Scenario(boolean lease, Path dir) throws IOException {
            this.lease = lease;
            this.dir = dir;
            this.lab = NetnsLab.create(4);
        }

        /** Up to the fault: n0 MASTER, n1 BACKUP with its Redis replicating n0's, both probers writing, n1 acking. */
        private void start() throws Exception {
            if (lease) {
                zk = ZookeeperServer.startIn(lab.host(ZK));
            }
            client = thread(CLIENT);
            node(N0, 150, Optional.empty()).awaitState("MASTER", WAIT);
            node(N1, 100, Optional.of(lab.host(N0).address())).awaitState("BACKUP", WAIT);
            await("n1's Redis replicating n0", () -> LabRedis.replicates(client, lab.host(N1).address(), REDIS_PORT,
                    lab.host(N0).address()));
            for (int i : List.of(N0, N1)) {
                Prober p = new Prober("n" + i);
                probers.add(p);
                probing.add(thread(i).start(() -> {
                    p.run();
                    return null;
                }));
            }
            await("writes on n0 acknowledged by n1", () -> probers.get(N0).acked() >= 50);
        }

        private void stopProbing() throws Exception {
            probers.forEach(Prober::stop);
            for (CompletableFuture<Void> f : probing) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }

        private List<Write> writes() {
            return probers.stream().flatMap(p -> p.writes.stream()).toList();
        }

        Result run() throws Exception {
            start();
            VrrpNode a = nodes.get(N0);
            VrrpNode b = nodes.get(N1);
            int[] logFrom = {a.log().length(), b.log().length()};
            long partitionedAt = System.nanoTime();
            lab.partition(N0);
            Thread.sleep(PARTITION); // the partition itself: what is measured is what happens meanwhile
            lab.heal(N0);
            long healedAt = System.nanoTime();

            Optional<Integer> master = settled(client);
            long settledMillis = (System.nanoTime() - healedAt) / 1_000_000;
            // a few writes on the settled pair, so that the last of the new master's are in the audit
            long written = probers.stream().mapToLong(Prober::oks).sum();
            awaitQuietly(() -> probers.stream().mapToLong(Prober::oks).sum() > written + 20);
            stopProbing();
            boolean replicates = master.isPresent() && LabRedis.replicates(client, lab.host(1 - master.get()).address(),
                    REDIS_PORT, lab.host(master.get()).address());
            List<Write> writes = writes();
            Audit audit = master.map(m -> audit(client, lab.host(m).address(), writes)).orElse(Audit.NONE);
            return new Result(lease, writes, partitionedAt, settledMillis, master, replicates, audit,
                    "n0's log:\n" + a.log() + "\nn1's log:\n" + b.log(),
                    sentences(a, logFrom[N0]) + sentences(b, logFrom[N1]));
        }

        /** The benchmark's Redis crash: n0's redis-server SIGKILLed; the write gap until n1's Redis takes writes. */
        List<Metric> redisCrash() throws Exception {
            start();
            long at = System.nanoTime();
            kill(redis.get(N0));
            awaitN1Writable();
            stopProbing();
            return List.of(new Metric("write gap", longestGapMillis(writes(), at), "ms"));
        }

        /**
         * The benchmark's host death: n0's link down, its agent and its Redis SIGKILLed at once (a dead host runs
         * nothing, so its prober's writes fail too); the write gap until n1's Redis takes writes.
         */
        List<Metric> hostDeath() throws Exception {
            start();
            long at = System.nanoTime();
            lab.linkDown(N0);
            nodes.get(N0).kill();
            kill(redis.get(N0));
            awaitN1Writable();
            stopProbing();
            return List.of(new Metric("write gap", longestGapMillis(writes(), at), "ms"));
        }

        /**
         * The benchmark's ZooKeeper restart while n0 is MASTER (lease on only): the server SIGKILLed, started again
         * 3 s later (down until it serves again, JVM start included); n0's failed writes and its longest write
         * (SET sent to OK: a paused write waits) from the kill to 2 s of writes after the restart.
         */
        List<Metric> zookeeperRestart() throws Exception {
            start();
            long at = System.nanoTime();
            zk.kill();
            Thread.sleep(ZK_DOWN); // the outage itself
            zk.restart();
            long downMillis = (System.nanoTime() - at) / 1_000_000;
            long oks = probers.get(N0).oks();
            awaitQuietly(() -> probers.get(N0).oks() > oks + 100);
            boolean stillMaster = nodes.get(N0).state().filter("MASTER"::equals).isPresent();
            stopProbing();
            List<Write> n0 = probers.get(N0).writes.stream().filter(w -> w.sentNanos() >= at).toList();
            return List.of(new Metric("zookeeper down", downMillis, "ms"),
                    new Metric("failed writes", n0.stream().filter(w -> !w.ok()).count(), ""),
                    new Metric("longest write", n0.stream().filter(Write::ok)
                            .mapToLong(w -> (w.okNanos() - w.sentNanos()) / 1_000_000).max().orElse(-1), "ms"),
                    new Metric("n0 still MASTER", stillMaster ? 1 : 0, ""));
        }

        private static void kill(Process p) throws InterruptedException {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }

        /** n1 MASTER and 20 more of its writes OK, so that the gap is closed by writes that went through. */
        private void awaitN1Writable() {
            await("n1 MASTER after the fault", () -> nodes.get(N1).state().filter("MASTER"::equals).isPresent());
            long oks = probers.get(N1).oks();
            awaitQuietly(() -> probers.get(N1).oks() > oks + 20);
        }

        /** What the instance's log said from {@code from} on: the story of the partition, for the test's output. */
        private static String sentences(VrrpNode n, int from) {
            return n.log().substring(Math.min(from, n.log().length())).lines().filter(l -> l.contains("(vip)")).limit(30)
                    .map(l -> "  " + n.name + ": " + l + "\n").reduce("", String::concat);
        }

        /** After the heal: exactly one MASTER whose peer's Redis replicates its Redis; empty when that does not come. */
        private Optional<Integer> settled(NetnsThread client) {
            try {
                return Optional.of(Eventually.get(WAIT, "one MASTER, the other's Redis its replica", () -> {
                    List<Integer> masters = List.of(N0, N1).stream()
                            .filter(i -> nodes.get(i).state().filter("MASTER"::equals).isPresent()).toList();
                    if (masters.size() != 1) {
                        return Optional.empty();
                    }
                    int m = masters.getFirst();
                    return LabRedis.replicates(client, lab.host(1 - m).address(), REDIS_PORT, lab.host(m).address())
                            ? Optional.of(m) : Optional.empty();
                }));
            } catch (AssertionError e) {
                return Optional.empty();
            }
        }

        private Audit audit(NetnsThread client, String master, List<Write> writes) {
            return client.call(() -> {
                try (Jedis j = new Jedis(master, REDIS_PORT, 5000)) {
                    List<Write> oks = writes.stream().filter(Write::ok).toList();
                    Pipeline p = j.pipelined();
                    List<Response<String>> got = oks.stream().map(w -> p.get(w.key())).toList();
                    p.sync();
                    List<String> ackedLost = new ArrayList<>();
                    int writtenLost = 0;
                    for (int i = 0; i < oks.size(); i++) {
                        if (got.get(i).get() == null) {
                            writtenLost++;
                            if (oks.get(i).acked()) {
                                ackedLost.add(oks.get(i).key());
                            }
                        }
                    }
                    return new Audit(oks.stream().filter(Write::acked).count(), ackedLost, writtenLost);
                }
            });
        }

        private NetnsThread thread(int host) {
            NetnsThread t = NetnsThread.in(lab.host(host));
            threads.add(t);
            return t;
        }

        private VrrpNode node(int i, int priority, Optional<String> replicaOf) throws IOException {
            Path nodeDir = Files.createDirectories(dir.resolve("n" + i));
            Path conf = nodeDir.resolve("redis.conf");
            Files.writeString(conf, """
                    bind 0.0.0.0
                    port %d
                    dir %s
                    save ""
                    appendonly no
                    repl-diskless-sync-delay 0
                    protected-mode no
                    daemonize no
                    %s""".formatted(REDIS_PORT, nodeDir, replicaOf.map(m -> "replicaof " + m + " " + REDIS_PORT + "\n")
                    .orElse("")));
            // not supervised by the agent (as under systemd); NetnsLab.close() kills what runs in its namespaces
            // `ip netns exec` execs redis-server: the process is the server itself, for redisCrash's SIGKILL
            redis.add(lab.host(i).command(RedisServer.binary().toString(), conf.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile())).start());
            VrrpNode n = VrrpNode.startYaml("n" + i, lab.host(i), dir, "vip", yaml(i, priority));
            nodes.add(n);
            return n;
        }

        private String yaml(int i, int priority) {
            NetnsLab.Host me = lab.host(i);
            NetnsLab.Host peer = lab.host(1 - i);
            String coordination = !lease ? "" : """
                    coordination:
                      zookeeper: { connect: "%s", session_timeout: %ds, lease_for: [vip] }
                    """.formatted(zk.connectString(), SESSION.toSeconds());
            return """
                    node:
                      name: n%1$d
                      state_dir: "@DIR@/state"
                    checks:
                      redis: { type: redis, host: 127.0.0.1, port: %2$d, interval: 200ms, timeout: 150ms, rise: 1, fall: 2 }
                    vrrp:
                      vip:
                        vrid: 51
                        priority: %3$d
                        advert_interval: 100ms
                        version: 3
                        transport: ip
                        interface: %4$s
                        unicast: { source: %5$s, peers: [%6$s] }
                        preempt: false
                        startup_delay: 300ms
                        track: [ { check: redis, weight: 0 } ]
                        on_master:
                          redis_promote: { host: 127.0.0.1, port: %2$d, config_rewrite: true, max_link_down: 60s }
                          address:
                            local: { ip: %7$s/%8$d, interface: %4$s }
                        on_backup:
                          redis_replicate: { host: 127.0.0.1, port: %2$d, config_rewrite: true }
                        @NOTIFY@
                    %9$s""".formatted(i, REDIS_PORT, priority, me.iface(), me.address(), peer.address(),
                    lab.subnetPrefix() + "100", me.prefixLength(), coordination);
        }

        private void await(String what, Eventually.Condition cond) {
            Eventually.within(WAIT, () -> what + "\n" + nodes.stream().map(n -> n.name + "'s log:\n" + n.log())
                    .reduce("", String::concat) + (zk == null ? "" : "zookeeper:\n" + zk.logTail()), cond);
        }

        private static void awaitQuietly(Eventually.Condition cond) {
            try {
                Eventually.within(WAIT, "more writes", cond);
            } catch (AssertionError e) {
                // the audit and the assertions say what went wrong
            }
        }

        @Override
        public void close() {
            probers.forEach(Prober::stop);
            nodes.forEach(VrrpNode::close);
            threads.forEach(NetnsThread::close);
            if (zk != null) {
                zk.close();
            }
            lab.close();
        }
    }

    /**
     * One write: the host, when it was sent, when its OK came back (0 when it failed), and whether a replica
     * acknowledged it ({@code WAIT 1} returned at least 1). Times from {@link System#nanoTime}.
     */
    record Write(String host, long seq, long sentNanos, long okNanos, boolean acked) {
        boolean ok() {
            return okNanos != 0;
        }

        String key() {
            return host + ":" + seq;
        }
    }

    /**
     * Writes {@code <host>:<seq>} to the local Redis every 20 ms: {@code SET}, then {@code WAIT 1 20}. A paused write
     * waits (10 s read time-out, longer than any pause the lease makes) so that its real outcome is recorded, not a
     * client time-out. Bounded: 3 minutes or 9,000 writes, and it stops when told.
     */
    static final class Prober {
        private static final long PERIOD_MILLIS = 20;
        final String host;
        final List<Write> writes = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();

        Prober(String host) {
            this.host = host;
        }

        void stop() {
            stop.set(true);
        }

        long acked() {
            return writes.stream().filter(Write::acked).count();
        }

        long oks() {
            return writes.stream().filter(Write::ok).count();
        }

        void run() throws InterruptedException {
            long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            Jedis j = null;
            for (long seq = 0; seq < 9_000 && !stop.get() && System.nanoTime() < until; seq++) {
                long sent = System.nanoTime();
                try {
                    if (j == null) {
                        j = new Jedis("127.0.0.1", REDIS_PORT, 500, 10_000);
                    }
                    j.set(host + ":" + seq, Long.toString(seq));
                    long ok = System.nanoTime();
                    boolean acked = j.waitReplicas(1, 20) >= 1;
                    writes.add(new Write(host, seq, sent, ok, acked));
                } catch (JedisException e) {
                    writes.add(new Write(host, seq, sent, 0, false));
                    if (j != null) {
                        j.close();
                        j = null;
                    }
                }
                Thread.sleep(PERIOD_MILLIS);
            }
            if (j != null) {
                j.close();
            }
        }
    }

    /** What the final master holds of the writes: the acknowledged ones missing, and how many OK writes are missing. */
    record Audit(long acked, List<String> ackedLost, int writtenLost) {
        static final Audit NONE = new Audit(0, List.of("(no final master to audit)"), -1);
    }

    /** One scenario's numbers, computed from the two probers' timelines. */
    record Result(boolean lease, List<Write> writes, long partitionedAt, long settledMillis, Optional<Integer> finalMaster,
                  boolean oldMasterReplicates, Audit audit, String logs, String story) {

        /** Whether both probers wrote at all. */
        boolean probed() {
            return writes.stream().anyMatch(w -> w.host().equals("n0")) && writes.stream().anyMatch(w -> w.host().equals("n1"));
        }

        long acked() {
            return audit.acked();
        }

        List<String> ackedLost() {
            return audit.ackedLost();
        }

        /**
         * The time both Redis accepted writes: each host's writable spans (a run of OK writes with no failed one
         * between them, from its first OK to its last), intersected across the two hosts.
         */
        long twoWritableMillis() {
            List<long[]> n0 = spans("n0");
            List<long[]> n1 = spans("n1");
            long both = 0;
            for (long[] x : n0) {
                for (long[] y : n1) {
                    both += Math.max(0, Math.min(x[1], y[1]) - Math.max(x[0], y[0]));
                }
            }
            return both / 1_000_000;
        }

        private List<long[]> spans(String host) {
            List<long[]> spans = new ArrayList<>();
            long[] open = null;
            for (Write w : writes.stream().filter(w -> w.host().equals(host)).toList()) {
                if (!w.ok()) {
                    open = null;
                } else if (open == null) {
                    open = new long[] {w.okNanos(), w.okNanos()};
                    spans.add(open);
                } else {
                    open[1] = w.okNanos();
                }
            }
            return spans;
        }

        /**
         * The longest time with no writable master from the partition on: the longest gap between two OKs in a
         * row, either host's, counting from the last OK before the partition; to the end of probing when none came.
         */
        long noWritableMillis() {
            return longestGapMillis(writes, partitionedAt);
        }

        /** From the cut to the first OK write on n1, the side that kept its link to the world. */
        double n1WritableAfterSeconds() {
            return writes.stream().filter(w -> w.host().equals("n1") && w.ok() && w.okNanos() >= partitionedAt)
                    .mapToLong(Write::okNanos).min().stream().mapToDouble(t -> (t - partitionedAt) / 1e9).findFirst()
                    .orElse(Double.NaN);
        }

        String line() {
            String audited = audit == Audit.NONE ? "acked lost ? (no final master to audit)" : String.format(Locale.ROOT,
                    "acked lost %d (of %,d acked), written lost %,d (of %,d written)", audit.ackedLost().size(),
                    audit.acked(), audit.writtenLost(), writes.stream().filter(Write::ok).count());
            return String.format(Locale.ROOT, "lease %s: two writable masters %,d ms, no writable master %.1f s (n1"
                            + " writable %.1f s after the cut), %s; %.1f s after the heal: %s",
                    lease ? "on" : "off", twoWritableMillis(), noWritableMillis() / 1000.0, n1WritableAfterSeconds(),
                    audited, settledMillis / 1000.0, finalMaster.map(m -> "n" + m + " MASTER, n" + (1 - m) + "'s Redis "
                            + (oldMasterReplicates ? "its replica" : "NOT its replica")).orElse("no single MASTER"));
        }
    }

    /**
     * The longest time with no writable master from {@code from} on: the longest gap between two OKs in a row, either
     * host's, counting from the last OK before {@code from}; to the end of probing when none came.
     */
    static long longestGapMillis(List<Write> writes, long from) {
        List<Long> oks = writes.stream().filter(Write::ok).map(Write::okNanos).sorted().toList();
        long last = oks.stream().filter(t -> t < from).reduce((x, y) -> y).orElse(from);
        long longest = 0;
        for (long t : oks.stream().filter(t -> t >= from).toList()) {
            longest = Math.max(longest, t - last);
            last = t;
        }
        long end = writes.stream().mapToLong(Write::sentNanos).max().orElse(last);
        if (oks.stream().noneMatch(t -> t >= from)) {
            longest = end - last;
        }
        return longest / 1_000_000;
    }
}
