package io.haagent.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.checker.probe.CheckResult;
import io.haagent.checker.probe.Probe;
import io.haagent.checker.probe.ProbeFactory;
import io.haagent.checker.probe.Watch;
import io.haagent.config.CheckSpec;
import io.haagent.config.HostPort;
import io.haagent.testkit.Eventually;
import io.haagent.time.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler on real time with fake probes. Assertions are on events and counts only; every
 * wait is bounded and generous, and nothing asserts how long anything took.
 */
class CheckSchedulerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<CheckScheduler> schedulers = new ArrayList<>();

    @AfterEach
    void closeSchedulers() {
        schedulers.forEach(CheckScheduler::close);
    }

    private CheckScheduler scheduler(ProbeFactory probes) {
        CheckScheduler s = new CheckScheduler(probes, Ticker.SYSTEM, new SplittableRandom(7), Duration.ofMillis(50));
        schedulers.add(s);
        return s;
    }

    /** A factory whose probes answer up at once and count their runs. */
    private ProbeFactory alwaysUp() {
        return (name, spec) -> {
            created.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            return () -> {
                runs.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                return CompletableFuture.completedFuture(CheckResult.up("fine", Duration.ofMillis(1)));
            };
        };
    }

    private static CheckSpec tcp(int port, Duration interval, int rise, int fall) {
        return new CheckSpec.Tcp(new HostPort("127.0.0.1", port),
                new CheckSpec.CheckTiming(interval, interval.dividedBy(2), rise, fall));
    }

    private int runsOf(String name) {
        AtomicInteger n = runs.get(name);
        return n == null ? 0 : n.get();
    }

    /** Records every event a listener hears. */
    private static final class Recorder implements CheckListener {
        final ConcurrentLinkedQueue<CheckStatus> results = new ConcurrentLinkedQueue<>();
        final List<CheckFlip> flips = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void resultRecorded(CheckStatus status) {
            results.add(status);
        }

        @Override
        public void stateChanged(CheckFlip flip) {
            flips.add(flip);
        }

        List<CheckFlip> flipsOf(String check) {
            synchronized (flips) {
                return flips.stream().filter(f -> f.check().equals(check)).toList();
            }
        }

        long resultsOf(String check) {
            return results.stream().filter(s -> s.name().equals(check)).count();
        }
    }

    @Test
    void firstRuns_ofFortyChecks_areSpreadOverTheFirstInterval() {
        AtomicInteger started = new AtomicInteger();
        CheckScheduler s = scheduler((name, spec) -> () -> {
            started.incrementAndGet();
            return CompletableFuture.completedFuture(CheckResult.up("fine", Duration.ZERO));
        });
        Map<String, CheckSpec> checks = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            checks.put("c" + i, tcp(1000 + i, Duration.ofSeconds(30), 1, 1));
        }
        s.apply(checks);
        Eventually.within(WAIT, "the first three checks to run", () -> started.get() >= 3);
        // Without jitter all forty would run at once; spread over 30s, the rest are still waiting.
        assertTrue(started.get() < 40, started.get() + " of 40 checks ran together");
    }

    @Test
    void run_stillGoingWhenTheNextIsDue_isNotOverlapped_theNextIsSkipped() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        List<CompletableFuture<CheckResult>> pending = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean hang = new AtomicBoolean(true);
        CheckScheduler s = scheduler((name, spec) -> () -> {
            calls.incrementAndGet();
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            CompletableFuture<CheckResult> f = new CompletableFuture<>();
            f.whenComplete((r, e) -> concurrent.decrementAndGet());
            if (hang.get()) {
                pending.add(f); // never completes until the test says so: a hung probe
            } else {
                f.complete(CheckResult.up("fine", Duration.ZERO));
            }
            return f;
        });
        s.apply(Map.of("hung", new CheckSpec.Tcp(new HostPort("127.0.0.1", 9),
                new CheckSpec.CheckTiming(Duration.ofMillis(30), Duration.ofMillis(10), 1, 1))));

        Eventually.within(WAIT, "three skipped runs", () -> s.status("hung").orElseThrow().skippedRuns() >= 3);
        assertEquals(1, calls.get(), "a hung run must not be started again on top of itself");
        CheckStatus st = s.status("hung").orElseThrow();
        assertEquals(CheckState.DOWN, st.state());
        assertEquals("timed out after 10ms", st.lastReason(), "the backstop records the timeout");

        hang.set(false);
        pending.getFirst().complete(CheckResult.up("late", Duration.ZERO));
        Eventually.within(WAIT, "runs to resume once the hung one ended", () -> calls.get() >= 3);
        assertEquals(1, maxConcurrent.get());
    }

    @Test
    void apply_keepsEqualChecks_restartsChanged_stopsRemoved_startsNew() {
        Recorder events = new Recorder();
        CheckScheduler s = scheduler(alwaysUp());
        s.addListener(events);
        Duration every = Duration.ofMillis(40);
        CheckChanges first = s.apply(Map.of("a", tcp(1, every, 1, 1), "b", tcp(2, every, 1, 1), "c", tcp(3, every, 1, 1)));
        assertEquals(List.of("a", "b", "c"), first.added());
        Eventually.within(WAIT, "a, b and c up",
                () -> s.snapshot().stream().allMatch(st -> st.state() == CheckState.UP));
        long aSince = s.status("a").orElseThrow().sinceNanos();

        CheckChanges changes = s.apply(Map.of("a", tcp(1, every, 1, 1), "b", tcp(2, Duration.ofMillis(60), 1, 1),
                "d", tcp(4, every, 1, 1)));

        assertEquals(List.of("d"), changes.added());
        assertEquals(List.of("b"), changes.changed());
        assertEquals(List.of("c"), changes.removed());
        assertEquals(List.of("a"), changes.kept());
        assertEquals("added d; changed b; removed c", changes.describe());
        assertTrue(s.status("c").isEmpty());
        int cRuns = runsOf("c");

        Eventually.within(WAIT, "b restarted and d started",
                () -> events.flipsOf("b").size() == 2 && events.flipsOf("d").size() == 1);
        int aRuns = runsOf("a");
        Eventually.within(WAIT, "a to go on running", () -> runsOf("a") >= aRuns + 3);

        assertEquals(1, created.get("a").get(), "an unchanged check keeps its probe");
        assertEquals(2, created.get("b").get(), "a changed check gets a new one");
        assertEquals(1, events.flipsOf("a").size(), "an unchanged check does not flip again");
        assertEquals(aSince, s.status("a").orElseThrow().sinceNanos());
        assertEquals(CheckState.UNKNOWN, events.flipsOf("b").getLast().from());
        assertEquals(cRuns, runsOf("c"), "a removed check no longer runs");
        assertEquals(List.of("a", "b", "d"), s.snapshot().stream().map(CheckStatus::name).toList());
    }

    @Test
    void flips_reachListenersInOrder_eachAfterItsResult() {
        Recorder events = new Recorder();
        List<Boolean> script = List.of(true, false, false, true, true);
        AtomicInteger i = new AtomicInteger();
        CheckScheduler s = scheduler((name, spec) -> () -> {
            int n = i.getAndIncrement();
            boolean up = n >= script.size() || script.get(n);
            return CompletableFuture.completedFuture(up ? CheckResult.up("PONG", Duration.ZERO)
                    : CheckResult.down("connect refused", Duration.ZERO));
        });
        s.addListener(events);
        s.apply(Map.of("redis", tcp(6379, Duration.ofMillis(20), 2, 2)));

        Eventually.within(WAIT, "three flips", () -> events.flipsOf("redis").size() >= 3);
        List<String> sentences = events.flipsOf("redis").stream().map(CheckFlip::sentence).toList();
        assertEquals(List.of(
                "check redis: UNKNOWN -> UP on its first result: PONG",
                "check redis: UP -> DOWN after 2 failures: connect refused",
                "check redis: DOWN -> UP after 2 successes: PONG"), sentences.subList(0, 3));
        CheckStatus afterThird = events.results.stream().skip(4).findFirst().orElseThrow();
        assertEquals(CheckState.UP, afterThird.state());
        assertEquals(5, afterThird.runs());
    }

    @Test
    void listener_throwing_breaksNeitherTheOtherListenersNorTheChecks() {
        Recorder events = new Recorder();
        CheckScheduler s = scheduler(alwaysUp());
        s.addListener(new CheckListener() {
            @Override
            public void resultRecorded(CheckStatus status) {
                throw new IllegalStateException("listener bug (expected by this test)");
            }

            @Override
            public void stateChanged(CheckFlip flip) {
                throw new IllegalStateException("listener bug (expected by this test)");
            }

            @Override
            public String toString() {
                return "the throwing test listener";
            }
        });
        s.addListener(events);
        s.apply(Map.of("web", tcp(80, Duration.ofMillis(20), 1, 1)));
        Eventually.within(WAIT, "five results despite the throwing listener", () -> events.resultsOf("web") >= 5);
        assertEquals(1, events.flipsOf("web").size());
    }

    @Test
    void probeFactoryRefusingTheSpec_checkRunsDownWithTheReason() {
        Recorder events = new Recorder();
        CheckScheduler s = scheduler((name, spec) -> {
            throw new IllegalArgumentException("url ftp://x is not http or https");
        });
        s.addListener(events);
        s.apply(Map.of("web", tcp(80, Duration.ofMillis(20), 1, 1)));
        Eventually.within(WAIT, "the first result", () -> !events.flipsOf("web").isEmpty());
        assertEquals("check web: UNKNOWN -> DOWN on its first result: cannot run: url ftp://x is not http or https",
                events.flipsOf("web").getFirst().sentence());
    }

    @Test
    void snapshot_beforeAnyRun_listsChecksSortedAsUnknown() {
        CheckScheduler s = scheduler(alwaysUp());
        s.apply(Map.of("zeta", tcp(1, Duration.ofHours(1), 1, 1), "alpha", tcp(2, Duration.ofHours(1), 1, 1)));
        List<CheckStatus> all = s.snapshot();
        assertEquals(List.of("alpha", "zeta"), all.stream().map(CheckStatus::name).toList());
        assertTrue(all.stream().allMatch(st -> st.state() == CheckState.UNKNOWN && st.type().equals("tcp")
                && st.last().isEmpty() && st.lastReason().isEmpty() && st.runs() == 0));
    }

    @Test
    void close_stopsEverything_andApplyAfterwardsIsRefused() {
        CheckScheduler s = scheduler(alwaysUp());
        s.apply(Map.of("web", tcp(80, Duration.ofMillis(20), 1, 1)));
        Eventually.within(WAIT, "a first run", () -> runsOf("web") >= 1);
        s.close();
        assertTrue(s.snapshot().isEmpty());
        assertThrows(IllegalStateException.class, () -> s.apply(Map.of()));
    }

    @Test
    void apply_calledFromAListener_doesNotDeadlock() {
        CheckScheduler s = scheduler(alwaysUp());
        CompletableFuture<CheckChanges> fromListener = new CompletableFuture<>();
        s.addListener(new CheckListener() {
            @Override
            public void stateChanged(CheckFlip flip) {
                if (flip.check().equals("web")) {
                    fromListener.complete(s.apply(Map.of("web", tcp(80, Duration.ofMillis(20), 1, 1),
                            "api", tcp(81, Duration.ofMillis(20), 1, 1))));
                }
            }
        });
        s.apply(Map.of("web", tcp(80, Duration.ofMillis(20), 1, 1)));
        Eventually.within(WAIT, "the listener's reload", fromListener::isDone);
        assertEquals(List.of("api"), fromListener.join().added());
    }

    @Test
    void probeThrowingOnRun_isADownResult() {
        Recorder events = new Recorder();
        CheckScheduler s = scheduler((name, spec) -> (Probe) () -> {
            throw new IllegalStateException("boom");
        });
        s.addListener(events);
        s.apply(Map.of("web", tcp(80, Duration.ofMillis(20), 1, 1)));
        Eventually.within(WAIT, "the first result", () -> !events.flipsOf("web").isEmpty());
        assertEquals(CheckState.DOWN, events.flipsOf("web").getFirst().to());
        assertTrue(events.flipsOf("web").getFirst().result().reason().contains("boom"));
    }

    @Test
    void knownDown_flipsDownAtOnce_thenTheRunsBringItBackUp() {
        Recorder events = new Recorder();
        CheckScheduler s = scheduler(alwaysUp());
        s.addListener(events);
        s.apply(Map.of("redis", tcp(6379, Duration.ofMillis(200), 1, 3)));
        Eventually.within(WAIT, "UNKNOWN -> UP", () -> events.flipsOf("redis").size() == 1);

        s.knownDown("redis", "the process of service redis exited (code 137)");
        s.knownDown("nosuch", "ignored");

        Eventually.within(WAIT, "DOWN at once, then UP on the next run", () -> events.flipsOf("redis").size() >= 3);
        List<CheckFlip> f = events.flipsOf("redis");
        assertEquals("check redis: UP -> DOWN at once: the process of service redis exited (code 137)", f.get(1).sentence());
        assertEquals(CheckState.UP, f.get(2).to());
    }

    /** A probe that is up and whose watch the test drives through {@link #listener}. */
    private static final class WatchedProbe implements Probe {
        final AtomicInteger runs = new AtomicInteger();
        volatile Watch.Listener listener;
        final AtomicBoolean watchClosed = new AtomicBoolean();

        @Override
        public CompletableFuture<CheckResult> run() {
            runs.incrementAndGet();
            return CompletableFuture.completedFuture(CheckResult.up("PONG", Duration.ofMillis(1)));
        }

        @Override
        public Watch watch(Watch.Listener l) {
            listener = l;
            return () -> watchClosed.set(true);
        }
    }

    @Test
    void watchLost_runsTheCheckAtOnce_insteadOfAtItsNextInterval() {
        WatchedProbe probe = new WatchedProbe();
        CheckScheduler s = scheduler((name, spec) -> probe);
        // The first run comes at a random point of the first hour: none for the test's length.
        s.apply(Map.of("redis", tcp(6379, Duration.ofHours(1), 1, 3)));
        Eventually.within(WAIT, "the watch to start", () -> probe.listener != null);
        assertEquals(0, probe.runs.get());

        probe.listener.lost("the server closed the watch connection");
        Eventually.within(WAIT, "a run at once", () -> probe.runs.get() == 1);
    }

    @Test
    void watchDown_flipsDownAtOnce_andStoppingTheCheckClosesItsWatch() {
        WatchedProbe probe = new WatchedProbe();
        Recorder events = new Recorder();
        CheckScheduler s = scheduler((name, spec) -> probe);
        s.addListener(events);
        s.apply(Map.of("redis", tcp(6379, Duration.ofMillis(100), 1, 3)));
        Eventually.within(WAIT, "UNKNOWN -> UP and the watch",
                () -> events.flipsOf("redis").size() == 1 && probe.listener != null);

        probe.listener.down("connect refused after the server closed the watch connection");
        Eventually.within(WAIT, "DOWN at once", () -> events.flipsOf("redis").size() >= 2);
        assertEquals("check redis: UP -> DOWN at once: connect refused after the server closed the watch connection",
                events.flipsOf("redis").get(1).sentence());

        s.apply(Map.of());
        Eventually.within(WAIT, "the watch closed with its check", probe.watchClosed::get);
    }
}
