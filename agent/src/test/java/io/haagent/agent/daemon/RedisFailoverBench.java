package io.haagent.agent.daemon;

import io.haagent.testkit.Keepalived;
import io.haagent.testkit.NetnsLab;
import io.haagent.testkit.NetnsThread;
import io.haagent.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The write-unavailability window of a Redis failover, haagent against keepalived with notify scripts
 * doing the same steps, in network namespaces. Per implementation a lab of three hosts: n0 and n1 each
 * run a {@code redis-server} (started by the bench, not supervised — as under systemd — so both
 * implementations face the same Redis) and the agent; the third host writes through the service address
 * without pause, each {@code SET} of a new key followed by {@code WAIT 1 20}. The master's Redis is
 * SIGKILLed at a random moment of the check interval; the window is the first failed write to the first
 * successful write after it. Then the dead Redis is started again from its own config file and the agents
 * make it a replica of the new master; with {@code preempt: false} the roles stay swapped, and the next run
 * kills the other side. After each run every write that {@code WAIT} acknowledged is looked up on the
 * master: an acknowledged write missing there is counted as lost.
 *
 * <p>keepalived as its users run it: a {@code vrrp_script} {@code redis-cli ping} every second (keepalived
 * 2.2 takes whole seconds: 0.1 is refused and becomes 1) with fall 1, rise 1; {@code notify_master} runs
 * {@code redis-cli REPLICAOF NO ONE} and {@code CONFIG REWRITE}, {@code notify_backup} {@code REPLICAOF <peer>}
 * and {@code CONFIG REWRITE}; the address a {@code virtual_ipaddress}. haagent with its {@code redis} check
 * every 1 s and every 5 s (rise 1, fall 2) tracked with weight 0, and a {@code local} address move. Both
 * with gratuitous ARP, VRRP v3, the same advert interval. The client connects with a 100 ms timeout and
 * reads with 200 ms, retrying at once.
 *
 * <p>Not a test: {@code benchmarks/redis-failover.sh} runs it. Root only.
 * Usage: {@code RedisFailoverBench [RUNS] [ADVERTS] [HAAGENT_CHECKS] [WORK_DIR]} (defaults 20, "1s,100ms", "1s,5s").
 */
public final class RedisFailoverBench {
    private static final int REDIS_PORT = 6379;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** keepalived's vrrp_script interval: it takes whole seconds only. */
    private static final int KEEPALIVED_CHECK_MILLIS = 1000;
    private static final SplittableRandom RANDOM = new SplittableRandom();

    /** One agent of a pair, as the bench needs it. */
    interface Agent extends AutoCloseable {
        Optional<String> state();

        String logTail();

        @Override
        void close();
    }

    /** A pair under test: two Redis, two agents, one client, in one lab. */
    static final class Pair implements AutoCloseable {
        final String impl;
        final int advertMillis;
        /** The Redis check's interval: the advert's, but keepalived's vrrp_script takes whole seconds only. */
        final int checkMillis;
        final NetnsLab lab;
        final Path dir;
        final Process[] redis = new Process[2];
        final Agent[] agents = new Agent[2];
        final NetnsThread client;
        final List<Long> windows = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final List<long[]> events = new CopyOnWriteArrayList<>(); // {millis, 1 ok | 0 failed}
        /** The keys of writes that WAIT acknowledged and no audit has looked up yet. */
        final Queue<String> acked = new ConcurrentLinkedQueue<>();
        long ackedTotal;
        long lost;
        final AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> writing;

        Pair(String impl, int advertMillis, int checkMillis, Path dir) throws IOException {
            this.impl = impl;
            this.advertMillis = advertMillis;
            this.checkMillis = checkMillis;
            this.dir = Files.createDirectories(dir);
            this.lab = NetnsLab.create(3);
            this.client = NetnsThread.in(lab.host(2));
        }

        String vip() {
            return lab.subnetPrefix() + "100";
        }

        String label() {
            return impl + " advert " + VrrpFailoverBench.duration(advertMillis) + " check " + VrrpFailoverBench.duration(checkMillis);
        }

        Path redisConf(int i) {
            return dir.resolve("redis" + i + ".conf");
        }

        void startRedis(int i) throws IOException {
            redis[i] = lab.host(i).command(RedisServer.binary().toString(), redisConf(i).toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis" + i + ".log")
                            .toFile())).start();
        }

        void setUp() throws Exception {
            for (int i = 0; i < 2; i++) {
                Files.writeString(redisConf(i), """
                        bind 0.0.0.0
                        port %d
                        dir %s
                        dbfilename dump%d.rdb
                        save ""
                        appendonly no
                        repl-diskless-sync-delay 0
                        protected-mode no
                        %s""".formatted(REDIS_PORT, dir, i, i == 1 ? "replicaof " + lab.host(0).address() + " " + REDIS_PORT
                        + "\n" : ""));
                startRedis(i);
            }
            agents[0] = start(0, 150);
            awaitState(0, "MASTER");
            agents[1] = start(1, 100);
            awaitState(1, "BACKUP");
            awaitReplica(1, 0);
            writing = client.start(() -> {
                write();
                return null;
            });
        }

        private Agent start(int i, int priority) throws IOException {
            NetnsLab.Host me = lab.host(i);
            NetnsLab.Host peer = lab.host(1 - i);
            String interval = VrrpFailoverBench.duration(advertMillis);
            String checkEvery = VrrpFailoverBench.duration(checkMillis);
            if (impl.startsWith("haagent")) {
                VrrpNode n = VrrpNode.startYaml("n" + i, me, dir, "redis-vip", """
                        node:
                          name: n%1$d
                          state_dir: "@DIR@/state"
                        checks:
                          redis: { type: redis, host: 127.0.0.1, port: %2$d, interval: %12$s, timeout: %4$dms, rise: 1, fall: 2 }
                        vrrp:
                          redis-vip:
                            vrid: 51
                            priority: %5$d
                            advert_interval: %3$s
                            version: 3
                            transport: ip
                            interface: %6$s
                            unicast: { source: %7$s, peers: [%8$s] }
                            preempt: false
                            startup_delay: %9$dms
                            track: [ { check: redis, weight: 0 } ]
                            on_master:
                              redis_promote: { host: 127.0.0.1, port: %2$d, config_rewrite: true, max_link_down: 60s }
                              address:
                                local: { ip: %10$s/%11$d, interface: %6$s }
                            on_backup:
                              redis_replicate: { host: 127.0.0.1, port: %2$d, config_rewrite: true }
                            @NOTIFY@
                        """.formatted(i, REDIS_PORT, interval, Math.min(2000, checkMillis / 2), priority, me.iface(), me.address(),
                        peer.address(), Math.max(300, 3 * advertMillis), vip(), me.prefixLength(), checkEvery));
                return new Agent() {
                    public Optional<String> state() {
                        return n.state();
                    }

                    public String logTail() {
                        String l = n.log();
                        return l.length() > 3000 ? l.substring(l.length() - 3000) : l;
                    }

                    public void close() {
                        n.close();
                    }
                };
            }
            Path scripts = Files.createDirectories(dir.resolve("k" + i));
            String cli = RedisServer.binary().resolveSibling("redis-cli") + " -h 127.0.0.1 -p " + REDIS_PORT;
            Path promote = script(scripts.resolve("promote.sh"), cli + " REPLICAOF NO ONE\n" + cli + " CONFIG REWRITE\n");
            Path replicate = script(scripts.resolve("replicate.sh"), cli + " REPLICAOF " + peer.address() + " " + REDIS_PORT
                    + "\n" + cli + " CONFIG REWRITE\n");
            String seconds = VrrpFailoverBench.seconds(advertMillis);
            Keepalived k = Keepalived.start(me, dir.resolve("keepalived" + i + "-" + System.nanoTime()), """
                    vrrp_script chk_redis {
                        script "%1$s PING"
                        interval %12$s
                        timeout %3$s
                        fall 1
                        rise 1
                    }
                    vrrp_instance VI_1 {
                        state BACKUP
                        nopreempt
                        interface %4$s
                        virtual_router_id 51
                        priority %5$d
                        advert_int %2$s
                        version 3
                        unicast_src_ip %6$s
                        unicast_peer {
                            %7$s
                        }
                        virtual_ipaddress {
                            %8$s/%9$d dev %4$s
                        }
                        track_script {
                            chk_redis
                        }
                        notify_master "%10$s"
                        notify_backup "%11$s"
                        @NOTIFY@
                    }
                    """.formatted(cli, seconds, checkMillis / 2000 == 0 ? "1" : Integer.toString(checkMillis / 2000), me.iface(),
                    priority, me.address(), peer.address(), vip(), me.prefixLength(), promote, replicate,
                    Integer.toString(checkMillis / 1000)));
            return new Agent() {
                public Optional<String> state() {
                    return k.state();
                }

                public String logTail() {
                    return k.logTail();
                }

                public void close() {
                    k.close();
                }
            };
        }

        private static Path script(Path p, String body) throws IOException {
            Files.writeString(p, "#!/bin/sh\n" + body);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            return p;
        }

        /**
         * Writes through the address until told to stop (20 minutes and 2,000,000 writes at most): a new key
         * each time, then WAIT for one replica for 20 ms; the keys it acknowledged go to {@link #acked}.
         */
        private void write() throws InterruptedException {
            long until = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            Jedis j = null;
            for (long i = 0; i < 2_000_000 && !stop.get() && System.nanoTime() < until; i++) {
                try {
                    if (j == null) {
                        j = new Jedis(vip(), REDIS_PORT, 100, 200);
                    }
                    String key = "w:" + i;
                    j.set(key, "1");
                    events.add(new long[] {System.currentTimeMillis(), 1});
                    if (j.waitReplicas(1, 20) >= 1) {
                        acked.add(key);
                    }
                } catch (JedisException e) {
                    events.add(new long[] {System.currentTimeMillis(), 0});
                    if (j != null) {
                        j.close();
                        j = null;
                    }
                }
                Thread.sleep(1);
            }
            if (j != null) {
                j.close();
            }
        }

        int master() {
            for (int i = 0; i < 2; i++) {
                if (agents[i].state().filter("MASTER"::equals).isPresent()) {
                    return i;
                }
            }
            return -1;
        }

        /** Kills the master's Redis at a random moment of the check interval and returns the window in ms. */
        long runOnce() throws Exception {
            int m = master();
            if (m < 0) {
                throw new IllegalStateException("no master before the run");
            }
            int other = 1 - m;
            // restore() ends at no particular phase of the checks; a random pause spreads the kill over it
            Thread.sleep(RANDOM.nextLong(checkMillis));
            long killedAt = System.currentTimeMillis();
            redis[m].destroyForcibly();
            redis[m].waitFor(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                long firstFail = events.stream().filter(e -> e[0] >= killedAt && e[1] == 0).mapToLong(e -> e[0]).min().orElse(-1);
                if (firstFail > 0) {
                    long back = events.stream().filter(e -> e[0] > firstFail && e[1] == 1).mapToLong(e -> e[0]).min().orElse(-1);
                    if (back > 0) {
                        restore(m, other);
                        audit(other);
                        return back - firstFail;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("writes did not resume within " + WAIT + "; states " + agents[0].state()
                            + "/" + agents[1].state() + "\n" + agents[other].logTail());
                }
                Thread.sleep(10);
            }
        }

        /** The killed Redis starts again from its config; the agents make it the new master's replica. */
        private void restore(int dead, int master) throws Exception {
            awaitState(master, "MASTER");
            startRedis(dead);
            awaitState(dead, "BACKUP");
            awaitReplica(dead, master);
            Thread.sleep(2 * advertMillis + 500); // settle: both checks see the pair as it is now
        }

        /** Looks up on the master every acknowledged write not audited yet; the missing ones are lost. */
        private void audit(int master) {
            List<String> keys = new ArrayList<>();
            for (String k; (k = acked.poll()) != null; ) {
                keys.add(k);
            }
            long missing = client.call(() -> {
                long n = 0;
                try (Jedis j = new Jedis(lab.host(master).address(), REDIS_PORT, 2000)) {
                    for (int from = 0; from < keys.size(); from += 500) {
                        List<String> batch = keys.subList(from, Math.min(keys.size(), from + 500));
                        n += batch.size() - j.exists(batch.toArray(String[]::new));
                    }
                }
                return n;
            });
            ackedTotal += keys.size();
            lost += missing;
            if (missing > 0) {
                failures.add(missing + " acknowledged writes lost");
            }
        }

        void awaitState(int i, String want) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (agents[i].state().filter(want::equals).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("n" + i + " not " + want + " within " + WAIT + " (" + agents[i].state()
                            + ")\n" + agents[i].logTail());
                }
                Thread.sleep(20);
            }
        }

        void awaitReplica(int replica, int master) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            String want = lab.host(master).address();
            while (!LabRedis.replicates(client, lab.host(replica).address(), REDIS_PORT, want)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("n" + replica + "'s Redis not a replica of " + want + " within " + WAIT
                            + ": " + LabRedis.replication(client, lab.host(replica).address(), REDIS_PORT) + "\n"
                            + agents[replica].logTail());
                }
                Thread.sleep(50);
            }
        }

        @Override
        public void close() {
            stop.set(true);
            if (writing != null) {
                writing.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
            for (Agent a : agents) {
                if (a != null) {
                    a.close();
                }
            }
            for (Process p : redis) {
                if (p != null) {
                    p.destroyForcibly();
                }
            }
            client.close();
            lab.close();
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<Integer> adverts = VrrpFailoverBench.parseAdverts(args.length > 1 ? args[1] : "1s,100ms");
        List<Integer> checks = VrrpFailoverBench.parseAdverts(args.length > 2 ? args[2] : "1s,5s");
        Path work = args.length > 3 ? Files.createDirectories(Path.of(args[3]).toAbsolutePath())
                : Files.createTempDirectory("haagent-bench-redis-failover");
        Optional<String> why = Keepalived.unavailableReason();
        if (why.isPresent() || !RedisServer.available()) {
            System.err.println("redis-failover bench cannot run here: " + why.orElse("no redis-server on the PATH"));
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "redis-failover: %d runs per (implementation, advert, check), adverts %s, haagent checks %s"
                        + " (fall 2), keepalived check 1s fall 1, %d CPUs, work dir %s%n", runs,
                adverts.stream().map(VrrpFailoverBench::duration).toList(), checks.stream().map(VrrpFailoverBench::duration).toList(),
                Runtime.getRuntime().availableProcessors(), work);
        System.out.println("window = first failed write -> first successful write through the service address, after SIGKILL"
                + " of the master's redis-server at a random moment of the check interval");
        List<Pair> done = new ArrayList<>();
        for (int advert : adverts) {
            List<Pair> pairs = new ArrayList<>();
            try {
                List<String[]> impls = new ArrayList<>();
                for (int check : checks) {
                    impls.add(new String[] {"haagent", Integer.toString(check)});
                }
                impls.add(new String[] {"keepalived", Integer.toString(KEEPALIVED_CHECK_MILLIS)});
                for (String[] impl : impls) {
                    int check = Integer.parseInt(impl[1]);
                    Pair p = new Pair(impl[0], advert, check, work.resolve(VrrpFailoverBench.duration(advert))
                            .resolve(impl[0] + "-check" + VrrpFailoverBench.duration(check)));
                    pairs.add(p);
                    p.setUp();
                }
                for (int i = 0; i < runs; i++) {
                    for (Pair p : i % 2 == 0 ? pairs : pairs.reversed()) {
                        if (p.failures.size() >= 3) {
                            continue;
                        }
                        try {
                            long w = p.runOnce();
                            p.windows.add(w);
                            System.out.printf(Locale.ROOT, "[%s] run %2d: %d ms%n", p.label(), i + 1, w);
                        } catch (Exception | AssertionError e) {
                            p.failures.add("run " + (i + 1) + ": " + e.getMessage());
                            System.out.printf(Locale.ROOT, "[%s] run %2d FAILED: %s%n", p.label(), i + 1, e.getMessage());
                        }
                    }
                }
            } catch (Exception | AssertionError e) {
                System.out.printf("[%s] setup failed: %s%n", VrrpFailoverBench.duration(advert), e.getMessage());
            } finally {
                pairs.forEach(Pair::close);
                done.addAll(pairs);
            }
        }
        System.out.println();
        System.out.println("write-unavailability window (ms); acked: writes WAIT 1 acknowledged; lost: of those, missing on the master");
        System.out.printf(Locale.ROOT, "%-11s %-6s %-6s %3s %4s %7s %7s %7s %7s %7s %8s %5s%n", "impl", "advert", "check", "n", "fail",
                "min", "median", "p90", "p95", "max", "acked", "lost");
        for (Pair p : done) {
            List<Long> w = p.windows.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "%-11s %-6s %-6s %3d %4d %7s %7s %7s %7s %7s %8d %5d%n", p.impl,
                    VrrpFailoverBench.duration(p.advertMillis), VrrpFailoverBench.duration(p.checkMillis), w.size(),
                    p.failures.size(), stat(w, 0), stat(w, 50), stat(w, 90), stat(w, 95), stat(w, 100), p.ackedTotal, p.lost);
        }
        System.out.println();
        System.out.println("haagent's median window over keepalived's at the same advert (goals: <= 0.35 at 100ms, <= 0.8 at 1s):");
        for (Pair p : done) {
            if (!p.impl.equals("haagent") || p.windows.isEmpty()) {
                continue;
            }
            done.stream().filter(k -> k.impl.equals("keepalived") && k.advertMillis == p.advertMillis && !k.windows.isEmpty())
                    .findFirst().ifPresent(k -> System.out.printf(Locale.ROOT, "  advert %-6s haagent check %-4s %.2f x%n",
                            VrrpFailoverBench.duration(p.advertMillis), VrrpFailoverBench.duration(p.checkMillis),
                            median(p.windows) / median(k.windows)));
        }
        for (Pair p : done) {
            p.failures.forEach(f -> System.out.printf("[%s] %s%n", p.label(), f));
        }
    }

    private static double median(List<Long> windows) {
        return Double.parseDouble(stat(windows.stream().sorted().toList(), 50));
    }

    private static String stat(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return "-";
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return Long.toString(sorted.get(Math.clamp(rank - 1, 0, sorted.size() - 1)));
    }

    private RedisFailoverBench() {}
}
