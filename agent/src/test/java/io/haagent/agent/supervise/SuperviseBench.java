package io.haagent.agent.supervise;

import io.haagent.agent.heal.Healer;
import io.haagent.config.NodeConfig;
import io.haagent.config.ServiceSpec;
import io.haagent.time.Ticker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Kill-to-restart latency: a supervised child is SIGKILLed from outside, the supervisor sees the
 * exit, the real healing policy (zero backoff) decides, the actuator starts a new child. Prints the
 * median, p90, p99 and max of "kill -> exit seen" and "kill -> new child started" over N kills
 * (after a warm-up). Not a test: benchmarks/supervise.sh runs it. Goal: under 100 ms plus the backoff.
 *
 * <p>Usage: {@code SuperviseBench [KILLS] [WARMUP] [STATE_DIR]} (defaults 50, 10, a temp dir).
 */
public final class SuperviseBench {
    record Seen(String what, long pid, long atNanos) {}

    public static void main(String[] args) throws Exception {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path dir = args.length > 2 ? Files.createDirectories(Path.of(args[2]))
                : Files.createTempDirectory("haagent-bench-supervise");

        var policy = new ServiceSpec.RestartPolicy(new ServiceSpec.Backoff(Duration.ZERO, Duration.ZERO), 1_000_000,
                Duration.ofMinutes(1), Optional.empty());
        var child = new ServiceSpec.Process(List.of("sleep", "600"), Optional.empty(), Map.of(),
                ServiceSpec.StopSignal.TERM, Duration.ofSeconds(2), Duration.ofSeconds(1));
        var service = new ServiceSpec(List.of(), Optional.of(child), policy, Optional.empty(), List.of());
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

        List<Long> toExit = new ArrayList<>();
        List<Long> toRestart = new ArrayList<>();
        RecordingHooks heard = new RecordingHooks();
        try (HealLoop loop = new HealLoop(new Healer(Map.of("bench", service),
                new NodeConfig.RestartBudget(1_000_000, Duration.ofMinutes(1)), new Healer.Options(0, Duration.ofSeconds(1))),
                dir, Ticker.SYSTEM, heard, inner -> new Supervisor.Listener() {
                    @Override
                    public void started(String s, long pid) {
                        seen.add(new Seen("started", pid, System.nanoTime()));
                        inner.started(s, pid);
                    }

                    @Override
                    public void exited(String s, long pid, int code, boolean requested) {
                        seen.add(new Seen("exited", pid, System.nanoTime()));
                        inner.exited(s, pid, code, requested);
                    }
                })) {
            long pid = take(seen, "started").pid();
            for (int i = 0; i < warmup + kills; i++) {
                long t0 = System.nanoTime();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill(pid, SIGKILL), as `kill -9` would
                Seen exit = take(seen, "exited");
                Seen start = take(seen, "started");
                if (exit.pid() != pid) {
                    throw new IllegalStateException("expected the exit of " + pid + ", saw " + exit);
                }
                if (i >= warmup) {
                    toExit.add(exit.atNanos() - t0);
                    toRestart.add(start.atNanos() - t0);
                }
                pid = start.pid();
            }
            if (heard.log().stream().anyMatch(l -> l.contains("gave up") || l.contains("held"))) {
                throw new IllegalStateException("the policy did not simply restart: " + heard.log());
            }
        }
        System.out.printf(Locale.ROOT, "supervise: %d SIGKILLs (after %d warm-up), zero backoff, child `sleep 600`, %d CPUs%n",
                kills, warmup, Runtime.getRuntime().availableProcessors());
        print("kill -> exit seen       ", toExit);
        print("kill -> new child started", toRestart);
    }

    private static Seen take(BlockingQueue<Seen> q, String what) throws InterruptedException {
        Seen s = q.poll(10, TimeUnit.SECONDS);
        if (s == null || !s.what().equals(what)) {
            throw new IllegalStateException("expected '" + what + "' within 10s, got " + s);
        }
        return s;
    }

    /** Nearest-rank percentiles; with 50 samples p99 is the largest. */
    private static void print(String label, List<Long> nanos) {
        List<Long> s = nanos.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "%s: median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", label,
                ms(pct(s, 50)), ms(pct(s, 90)), ms(pct(s, 99)), ms(s.getLast()));
    }

    private static long pct(List<Long> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
