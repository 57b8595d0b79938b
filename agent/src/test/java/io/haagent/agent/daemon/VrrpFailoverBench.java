package io.haagent.agent.daemon;

import io.haagent.testkit.Keepalived;
import io.haagent.testkit.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Failover latency, haagent against keepalived, in network namespaces: a VRRP v3 unicast pair (priority
 * 150 master on host 0, 100 backup on host 1, preempt, the same VIP and advert interval), the master is
 * SIGKILLed (a crash: no priority-0 advert), and the bench measures the time from the kill to the
 * backup's MASTER transition as its notify hook records it. Both implementations fork a hook script
 * that stamps {@code date +%s%3N}, so the hook's cost is in both. After each run the master is
 * relaunched, takes the role back (preempt), and the pair is left to settle before the next kill.
 *
 * <p>Each advert interval gets two fresh labs, one per implementation, and the runs alternate between
 * them, so a busy machine slows both alike. A passive raw-socket listener (python3, protocol 112) in the
 * backup's namespace stamps the master's adverts as they arrive, which gives a second, phase-free figure:
 * the backup's MASTER transition minus the last advert it heard, whose ideal is Master_Down_Interval.
 *
 * <p>Not a test: {@code benchmarks/vrrp-failover.sh} runs it. Root only.
 *
 * <p>Usage: {@code VrrpFailoverBench [RUNS] [ADVERTS] [WORK_DIR]} (defaults 20, "1s,100ms", a temp dir).
 */
public final class VrrpFailoverBench {
    private static final int MASTER_PRIORITY = 150;
    private static final int BACKUP_PRIORITY = 100;
    private static final int VRID = 51;
    /** Quiet time after the pair is back in shape (on top of a random fraction of one advert). */
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Duration RELAUNCH_WAIT = Duration.ofSeconds(40);
    private static final int MAX_FAILURES_IN_A_ROW = 3;
    private static final String OBSERVER = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
            out = open(sys.argv[1], 'a', buffering=1)
            while True:
                d = s.recv(2048)
                t = time.time()
                ihl = (d[0] & 15) * 4
                out.write('%.3f %s %d\\n' % (t * 1000, '.'.join(map(str, d[12:16])), d[ihl + 2]))
            """;

    record Transition(long millis, String state) {}

    /** One run's outcome: a latency, or why there is none. */
    record Run(int index, long latencyMillis, OptionalLong sinceLastAdvertMillis, OptionalLong decidedToHookMillis,
               String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /** One implementation's pair in its own lab. Host 0 is the master (150), host 1 the backup (100). */
    abstract static class Pair implements AutoCloseable {
        final String impl;
        final NetnsLab lab;
        final Path dir;
        final int advertMillis;
        final List<Run> runs = new ArrayList<>();
        private Process observer;
        private final Path observerLog;
        int failuresInARow;

        Pair(String impl, NetnsLab lab, Path dir, int advertMillis) throws IOException {
            this.impl = impl;
            this.lab = lab;
            this.dir = Files.createDirectories(dir);
            this.advertMillis = advertMillis;
            this.observerLog = dir.resolve("adverts-at-host1.log");
        }

        String vip() {
            return lab.subnetPrefix() + "100";
        }

        abstract void startMaster() throws Exception;

        abstract void startBackup() throws Exception;

        /** SIGKILL, a crash. */
        abstract void killMaster() throws Exception;

        abstract void relaunchMaster() throws Exception;

        abstract void stopAll();

        abstract List<Transition> transitions(int host);

        /** haagent only: the wall-clock time its state file says host 1 became MASTER. */
        OptionalLong decidedMillis() {
            return OptionalLong.empty();
        }

        abstract String logTail(int host);

        void startObserver() {
            if (observer != null && observer.isAlive()) {
                return;
            }
            try {
                observer = lab.host(1).command("python3", "-u", "-c", OBSERVER, observerLog.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("observer.out").toFile()).start();
            } catch (IOException e) {
                System.out.println("  (no advert observer: " + e.getMessage() + "; the last-advert column stays empty)");
            }
        }

        /** The latest advert from host 0 (priority > 0) that reached host 1 at or before {@code atMillis}. */
        OptionalLong lastAdvertBefore(long atMillis) {
            if (observer == null || !Files.exists(observerLog)) {
                return OptionalLong.empty();
            }
            try {
                String master = lab.host(0).address();
                long best = Long.MIN_VALUE;
                for (String line : Files.readAllLines(observerLog)) {
                    String[] f = line.split(" ");
                    if (f.length == 3 && f[1].equals(master) && !f[2].equals("0")) {
                        long t = (long) Double.parseDouble(f[0]);
                        if (t <= atMillis && t > best) {
                            best = t;
                        }
                    }
                }
                return best == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
            } catch (IOException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }

        /** The first transition to {@code state} at or after {@code sinceMillis} on {@code host}, if any. */
        Optional<Transition> first(int host, String state, long sinceMillis) {
            return transitions(host).stream().filter(t -> t.millis() >= sinceMillis && t.state().equals(state)).findFirst();
        }

        /** The last transition on {@code host}, if any. */
        Optional<Transition> last(int host) {
            List<Transition> t = transitions(host);
            return t.isEmpty() ? Optional.empty() : Optional.of(t.getLast());
        }

        /** Host 0 MASTER and host 1 BACKUP, each by a transition at or after {@code sinceMillis}, and nothing later. */
        boolean inShapeSince(long sinceMillis) {
            Optional<Transition> m = last(0);
            Optional<Transition> b = last(1);
            return m.isPresent() && b.isPresent() && m.get().state().equals("MASTER") && b.get().state().equals("BACKUP")
                    && m.get().millis() >= sinceMillis && b.get().millis() >= sinceMillis;
        }

        void awaitShape(long sinceMillis, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!inShapeSince(sinceMillis)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not back to host0 MASTER / host1 BACKUP within " + timeout
                            + "; host0 " + transitions(0) + ", host1 " + transitions(1));
                }
                Thread.sleep(10);
            }
        }

        /**
         * Waits for the pair's shape (master's transition at or after {@code sinceMillis}), then holds it
         * for {@link #SETTLE} plus a random fraction of an advert, so the kill falls at a random phase of
         * the advert cycle; any transition meanwhile means the pair is not steady yet.
         */
        void settle(long sinceMillis, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                awaitShape(sinceMillis, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                List<Transition> m = transitions(0);
                List<Transition> b = transitions(1);
                Thread.sleep(SETTLE.toMillis() + ThreadLocalRandom.current().nextLong(advertMillis));
                if (transitions(0).equals(m) && transitions(1).equals(b)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the pair did not settle: host0 " + transitions(0) + ", host1 "
                            + transitions(1));
                }
            }
        }

        /** The pair from scratch: master alone until MASTER, then the backup, which must stay BACKUP. */
        void setUp() throws Exception {
            long since = System.currentTimeMillis();
            startObserver();
            startMaster();
            long deadline = System.nanoTime() + RELAUNCH_WAIT.toNanos();
            while (first(0, "MASTER", since).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(impl + " master never became MASTER: " + transitions(0) + "\n"
                            + logTail(0));
                }
                Thread.sleep(10);
            }
            startBackup();
            awaitShape(since, RELAUNCH_WAIT);
            // Staying BACKUP past a whole Master_Down_Interval proves the backup hears the master.
            long hold = (long) Math.ceil(mdiMillis(advertMillis)) + 2L * advertMillis;
            List<Transition> b = transitions(1);
            Thread.sleep(hold);
            if (!transitions(1).equals(b) || !inShapeSince(since)) {
                throw new IllegalStateException(impl + " backup did not stay BACKUP under the master: host0 "
                        + transitions(0) + ", host1 " + transitions(1) + "\n" + logTail(1));
            }
            settle(since, RELAUNCH_WAIT);
        }

        /** One kill and the backup's takeover; {@link #restore()} brings the master back. */
        Run runOnce(int index) throws Exception {
            long mdi = (long) Math.ceil(mdiMillis(advertMillis));
            long t0 = System.currentTimeMillis();
            killMaster();
            long deadline = t0 + 3 * mdi + 10_000;
            Optional<Transition> took = Optional.empty();
            while (System.currentTimeMillis() < deadline) {
                took = first(1, "MASTER", t0);
                if (took.isPresent()) {
                    break;
                }
                Thread.sleep(5);
            }
            Run run;
            if (took.isEmpty()) {
                run = new Run(index, -1, OptionalLong.empty(), OptionalLong.empty(),
                        "timeout: host1 not MASTER " + (deadline - t0) + " ms after the kill; host1 " + transitions(1));
            } else {
                long at = took.get().millis();
                OptionalLong decided = decidedMillis();
                OptionalLong lastAdvert = lastAdvertBefore(at);
                run = new Run(index, at - t0,
                        lastAdvert.isPresent() ? OptionalLong.of(at - lastAdvert.getAsLong()) : OptionalLong.empty(),
                        decided.isPresent() ? OptionalLong.of(at - decided.getAsLong()) : OptionalLong.empty(), null);
            }
            return run;
        }

        /** The killed master relaunched; back in shape (it preempted) and settled. */
        void restore() throws Exception {
            long t1 = System.currentTimeMillis();
            relaunchMaster();
            settle(t1, RELAUNCH_WAIT);
        }

        @Override
        public void close() {
            try {
                stopAll();
            } finally {
                if (observer != null) {
                    observer.destroyForcibly();
                }
            }
        }
    }

    static final class HaagentPair extends Pair {
        private VrrpNode master;
        private VrrpNode backup;

        HaagentPair(NetnsLab lab, Path dir, int advertMillis) throws IOException {
            super("haagent", lab, dir, advertMillis);
        }

        private String body(int i, int priority) {
            NetnsLab.Host me = lab.host(i);
            return """
                    vrid: %d
                    priority: %d
                    advert_interval: %s
                    version: 3
                    transport: ip
                    interface: %s
                    unicast: { source: %s, peers: [%s] }
                    addresses: [%s]
                    preempt: true
                    startup_delay: %s
                    @NOTIFY@
                    """.formatted(VRID, priority, duration(advertMillis), me.iface(), me.address(),
                    lab.host(1 - i).address(), vip(), duration(3L * advertMillis));
        }

        @Override
        void startMaster() throws Exception {
            master = VrrpNode.start("haagent0", lab.host(0), dir, "bench-vip", body(0, MASTER_PRIORITY));
        }

        @Override
        void startBackup() throws Exception {
            backup = VrrpNode.start("haagent1", lab.host(1), dir, "bench-vip", body(1, BACKUP_PRIORITY));
        }

        @Override
        void killMaster() throws Exception {
            master.kill();
        }

        @Override
        void relaunchMaster() throws Exception {
            master.launch();
        }

        @Override
        void stopAll() {
            if (master != null) {
                master.close();
            }
            if (backup != null) {
                backup.close();
            }
        }

        @Override
        List<Transition> transitions(int host) {
            VrrpNode n = host == 0 ? master : backup;
            if (n == null) {
                return List.of();
            }
            List<Transition> out = new ArrayList<>();
            for (String l : n.transitions()) {
                String[] f = l.strip().split("\\s+");
                if (f.length >= 2) {
                    try {
                        out.add(new Transition(Long.parseLong(f[0]), f[1]));
                    } catch (NumberFormatException e) {
                        // a line being written
                    }
                }
            }
            return out;
        }

        @Override
        OptionalLong decidedMillis() {
            Optional<Map<String, String>> f = backup.stateFile();
            return f.filter(m -> "MASTER".equals(m.get("state"))).map(m -> m.get("since")).map(s -> {
                try {
                    return OptionalLong.of(Instant.parse(s).toEpochMilli());
                } catch (RuntimeException e) {
                    return OptionalLong.empty();
                }
            }).orElse(OptionalLong.empty());
        }

        @Override
        String logTail(int host) {
            VrrpNode n = host == 0 ? master : backup;
            if (n == null) {
                return "";
            }
            String log = n.log();
            return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
        }
    }

    static final class KeepalivedPair extends Pair {
        private Keepalived master;
        private Keepalived backup;
        private final List<Keepalived> all = new ArrayList<>();
        private int launches;

        KeepalivedPair(NetnsLab lab, Path dir, int advertMillis) throws IOException {
            super("keepalived", lab, dir, advertMillis);
        }

        private String block(int i, int priority) {
            NetnsLab.Host me = lab.host(i);
            return """
                    vrrp_instance VI_1 {
                        state BACKUP
                        interface %s
                        virtual_router_id %d
                        priority %d
                        advert_int %s
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
                    """.formatted(me.iface(), VRID, priority, seconds(advertMillis), me.address(),
                    lab.host(1 - i).address(), vip(), me.prefixLength(), me.iface());
        }

        @Override
        void startMaster() throws Exception {
            relaunchMaster();
        }

        @Override
        void startBackup() throws Exception {
            backup = Keepalived.start(lab.host(1), dir.resolve("keepalived1"), block(1, BACKUP_PRIORITY));
            all.add(backup);
        }

        @Override
        void killMaster() {
            master.kill();
        }

        /** A fresh work directory per launch: a new state log, no stale pid files. */
        @Override
        void relaunchMaster() throws Exception {
            master = Keepalived.start(lab.host(0), dir.resolve("keepalived0-" + launches++), block(0, MASTER_PRIORITY));
            all.add(master);
        }

        @Override
        void stopAll() {
            for (Keepalived k : all.reversed()) {
                try {
                    k.close();
                } catch (RuntimeException e) {
                    System.out.println("  (closing " + k + ": " + e.getMessage() + ")");
                }
            }
        }

        @Override
        List<Transition> transitions(int host) {
            Keepalived k = host == 0 ? master : backup;
            if (k == null) {
                return List.of();
            }
            return k.transitions().stream().map(e -> new Transition(e.getKey(), e.getValue())).toList();
        }

        @Override
        String logTail(int host) {
            Keepalived k = host == 0 ? master : backup;
            return k == null ? "" : k.logTail();
        }
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<Integer> adverts = parseAdverts(args.length > 1 ? args[1] : "1s,100ms");
        Path work = args.length > 2 ? Files.createDirectories(Path.of(args[2]).toAbsolutePath())
                : Files.createTempDirectory("haagent-bench-vrrp-failover");

        Optional<String> why = Keepalived.unavailableReason();
        if (why.isPresent()) {
            System.err.println("vrrp-failover bench cannot run here: " + why.get());
            System.exit(2);
        }

        System.out.printf(Locale.ROOT, "vrrp-failover: %d runs per (implementation, advert), adverts %s, VRRP v3 unicast, "
                        + "priorities %d/%d, preempt, %d CPUs, loadavg %s%n", runs,
                adverts.stream().map(VrrpFailoverBench::duration).toList(), MASTER_PRIORITY, BACKUP_PRIORITY,
                Runtime.getRuntime().availableProcessors(), loadavg());
        System.out.println("latency = backup's MASTER notify stamp - t0 (just before SIGKILL of the master)");
        System.out.println("work dir: " + work);

        List<Pair> done = new ArrayList<>();
        for (int advert : adverts) {
            Path dir = work.resolve(duration(advert));
            List<NetnsLab> labs = new ArrayList<>();
            List<Pair> pairs = new ArrayList<>();
            try {
                for (String impl : List.of("haagent", "keepalived")) {
                    NetnsLab lab = NetnsLab.create(2);
                    labs.add(lab);
                    Pair p = impl.equals("haagent") ? new HaagentPair(lab, dir.resolve(impl), advert)
                            : new KeepalivedPair(lab, dir.resolve(impl), advert);
                    pairs.add(p);
                    System.out.printf(Locale.ROOT, "[%s %s] setting up in %s%n", impl, duration(advert), lab);
                    p.setUp();
                }
                for (int i = 0; i < runs; i++) {
                    // alternate which goes first, so neither always follows the other's relaunch
                    List<Pair> order = i % 2 == 0 ? pairs : pairs.reversed();
                    for (Pair p : order) {
                        if (p.failuresInARow >= MAX_FAILURES_IN_A_ROW) {
                            continue;
                        }
                        Run r;
                        try {
                            r = p.runOnce(i + 1);
                        } catch (Exception | AssertionError e) {
                            r = new Run(i + 1, -1, OptionalLong.empty(), OptionalLong.empty(), String.valueOf(e.getMessage()));
                        }
                        p.runs.add(r);
                        p.failuresInARow = r.ok() ? 0 : p.failuresInARow + 1;
                        System.out.printf(Locale.ROOT, "[%s %s] run %2d: %s%n", p.impl, duration(advert), i + 1,
                                r.ok() ? r.latencyMillis() + " ms" + r.sinceLastAdvertMillis().stream()
                                        .mapToObj(x -> " (last advert -> MASTER " + x + " ms)").findFirst().orElse("")
                                        : "FAILED " + r.failure());
                        try {
                            p.restore();
                        } catch (Exception | AssertionError e) {
                            System.out.printf("[%s %s] after run %d the pair did not come back (%s); starting it afresh%n",
                                    p.impl, duration(advert), i + 1, e.getMessage());
                            p.failuresInARow++;
                            recover(p);
                        }
                        if (p.failuresInARow == MAX_FAILURES_IN_A_ROW) {
                            System.out.printf("[%s %s] %d failures in a row: no more runs for it%n", p.impl,
                                    duration(advert), MAX_FAILURES_IN_A_ROW);
                        }
                    }
                }
            } catch (Exception | AssertionError e) {
                System.out.printf("[%s] setup failed: %s%n", duration(advert), e.getMessage());
            } finally {
                pairs.forEach(Pair::close);
                labs.forEach(NetnsLab::close);
            }
            done.addAll(pairs);
        }
        report(done);
        System.out.println("loadavg at end: " + loadavg());
    }

    /** After a failed run: both daemons down, the pair from scratch. */
    private static void recover(Pair p) {
        try {
            p.stopAll();
            p.setUp();
        } catch (Exception | AssertionError e) {
            System.out.printf("[%s] could not recover: %s%n", p.impl, e.getMessage());
            p.failuresInARow = MAX_FAILURES_IN_A_ROW;
        }
    }

    private static void report(List<Pair> pairs) {
        System.out.println();
        System.out.println("kill -> backup MASTER (ms); theory: Master_Down_Interval = 3 x advert + (256-100)/256 x advert,"
                + " and a kill at a random phase of the advert cycle lands in (MDI - advert, MDI], median ~ MDI - advert/2");
        System.out.printf(Locale.ROOT, "%-11s %-6s %3s %4s %7s %7s %7s %7s | %8s %10s | %s%n", "impl", "advert", "n", "fail",
                "min", "median", "p90", "max", "MDI", "MDI-adv/2", "last advert -> MASTER (ms): median p90 max");
        for (Pair p : pairs) {
            List<Long> lat = p.runs.stream().filter(Run::ok).map(Run::latencyMillis).sorted().toList();
            List<Long> gap = p.runs.stream().filter(Run::ok).flatMap(r -> r.sinceLastAdvertMillis().stream().boxed())
                    .sorted().toList();
            long fails = p.runs.stream().filter(r -> !r.ok()).count();
            double mdi = mdiMillis(p.advertMillis);
            System.out.printf(Locale.ROOT, "%-11s %-6s %3d %4d %7s %7s %7s %7s | %8.1f %10.1f | %s%n", p.impl,
                    duration(p.advertMillis), lat.size(), fails, stat(lat, 0), stat(lat, 50), stat(lat, 90), stat(lat, 100),
                    mdi, mdi - p.advertMillis / 2.0,
                    gap.isEmpty() ? "-" : stat(gap, 50) + " " + stat(gap, 90) + " " + stat(gap, 100));
        }
        for (Pair p : pairs) {
            List<Long> hook = p.runs.stream().filter(Run::ok).flatMap(r -> r.decidedToHookMillis().stream().boxed())
                    .sorted().toList();
            if (!hook.isEmpty()) {
                System.out.printf(Locale.ROOT, "%s %s: state-file 'since' -> notify stamp (hook start cost, ms): "
                        + "median %s, max %s%n", p.impl, duration(p.advertMillis), stat(hook, 50), stat(hook, 100));
            }
        }
        List<String> failed = new ArrayList<>();
        for (Pair p : pairs) {
            p.runs.stream().filter(r -> !r.ok()).forEach(r -> failed.add("  " + p.impl + " " + duration(p.advertMillis)
                    + " run " + r.index() + ": " + r.failure()));
        }
        if (!failed.isEmpty()) {
            System.out.println("failed runs:");
            failed.forEach(System.out::println);
        }
    }

    /** Nearest rank; 0 is the minimum, 100 the maximum. */
    private static String stat(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return "-";
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return Long.toString(sorted.get(Math.clamp(rank - 1, 0, sorted.size() - 1)));
    }

    /** Master_Down_Interval of the backup (priority 100), VRRP v3, in ms. */
    static double mdiMillis(int advertMillis) {
        return 3.0 * advertMillis + (256 - BACKUP_PRIORITY) / 256.0 * advertMillis;
    }

    static List<Integer> parseAdverts(String s) {
        List<Integer> out = new ArrayList<>();
        for (String t : s.split(",")) {
            String v = t.strip().toLowerCase(Locale.ROOT);
            double ms = v.endsWith("ms") ? Double.parseDouble(v.substring(0, v.length() - 2))
                    : Double.parseDouble(v.endsWith("s") ? v.substring(0, v.length() - 1) : v) * 1000;
            long m = Math.round(ms);
            if (m < 10 || m > 40_950 || m % 10 != 0) {
                throw new IllegalArgumentException("advert " + t + ": VRRP v3 wants 10 ms .. 40.95 s in centiseconds");
            }
            out.add((int) m);
        }
        return out;
    }

    /** haagent's spelling: "1s", "100ms", "3300ms". */
    static String duration(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** keepalived's advert_int: "1", "0.1". */
    static String seconds(long millis) {
        return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private VrrpFailoverBench() {}
}
