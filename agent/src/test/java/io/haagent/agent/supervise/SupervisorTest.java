package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haagent.config.ServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisorTest {
    @TempDir
    Path dir;

    /** What the listener heard, in order. */
    record Heard(String what, String service, long pid, int code, boolean requested) {}

    final BlockingQueue<Heard> heard = new LinkedBlockingQueue<>();
    final Supervisor.Listener listener = new Supervisor.Listener() {
        @Override
        public void started(String service, long pid) {
            heard.add(new Heard("started", service, pid, 0, false));
        }

        @Override
        public void exited(String service, long pid, int exitCode, boolean stopRequested) {
            heard.add(new Heard("exited", service, pid, exitCode, stopRequested));
        }
    };
    Supervisor supervisor;

    @AfterEach
    void stopEverything() {
        if (supervisor != null) {
            supervisor.close(); // kills every child, even when the test failed
        }
    }

    private Supervisor supervisor(Supervisor.Options options) {
        supervisor = new Supervisor(dir, listener, options);
        return supervisor;
    }

    private Supervisor supervisor() {
        return supervisor(Supervisor.Options.DEFAULT);
    }

    /**
     * Regression (issue 10, 3.1): a start that threw after the child was spawned left that child running with
     * nobody watching its exit; the next start found it "running" and reported it, and its death went unnoticed.
     */
    @Test
    void start_thatThrowsAfterTheSpawn_leavesNoChild_andTheNextChildsExitIsReported() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        supervisor = new Supervisor(dir, new Supervisor.Listener() {
            @Override
            public void started(String service, long pid) {
                if (failing.get()) {
                    throw new OutOfMemoryError("unable to create native thread");
                }
                listener.started(service, pid);
            }

            @Override
            public void exited(String service, long pid, int exitCode, boolean stopRequested) {
                listener.exited(service, pid, exitCode, stopRequested);
            }
        }, Supervisor.Options.DEFAULT);
        assertThrows(OutOfMemoryError.class, () -> supervisor.start("web", sh("exec sleep 60")));
        Heard gone = Await.next(heard, "the failed start's child stopped");
        assertEquals(List.of("exited", true), List.of(gone.what(), gone.requested()));
        assertTrue(supervisor.pid("web").isEmpty(), "a failed start leaves no child");

        failing.set(false);
        long pid = supervisor.start("web", sh("exec sleep 60"));
        assertNotEquals(gone.pid(), pid);
        assertEquals(new Heard("started", "web", pid, 0, false), Await.next(heard, "the start"));
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        assertEquals(new Heard("exited", "web", pid, 137, false), Await.next(heard, "the kill noticed"));
    }

    /**
     * Hostile run, fault 4: a restarted agent killed the Redis its predecessor left running (a master holding an
     * acknowledged write). The next agent adopts a leftover started as the service is configured now, and stops
     * one started with another command or environment, which the operator has changed since.
     */
    @Test
    void leftoverOfAKilledAgent_startedAsConfigured_isAdopted_otherwiseStoppedAndReplaced() throws Exception {
        Supervisor.Listener quiet = new Supervisor.Listener() {
            @Override
            public void started(String service, long pid) {}

            @Override
            public void exited(String service, long pid, int exitCode, boolean stopRequested) {}
        };
        long first = new Supervisor(dir, quiet, Supervisor.Options.DEFAULT).start("web", sh("exec sleep 60"));
        long adopted = -1;
        long replaced = -1;
        try {
            // the agent that started it is "killed": never closed; the next one starts the same service
            adopted = new Supervisor(dir, quiet, Supervisor.Options.DEFAULT).start("web", sh("exec sleep 60"));
            assertEquals(first, adopted, "adopted, not restarted");
            assertTrue(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false));

            replaced = supervisor().start("web", sh("exec sleep 61"));
            assertNotEquals(first, replaced, "a leftover of another command is stopped and replaced");
            long gone = first;
            assertTrue(ProcessHandle.of(gone).map(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join())
                    .map(h -> !h.isAlive()).orElse(true), "the old one stopped");
            assertEquals(new Heard("started", "web", replaced, 0, false), Await.next(heard, "the new child's start"));
        } finally {
            ProcessHandle.of(first).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Live processes whose environment carries {@code HAAGENT_SERVICE=service}: the child, and what escaped it. */
    static Set<Long> marked(String service) {
        Set<Long> pids = new HashSet<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(q -> q.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String env = new String(Files.readAllBytes(p.resolve("environ")), java.nio.charset.StandardCharsets.UTF_8);
                    if (List.of(env.split("\0")).contains("HAAGENT_SERVICE=" + service)
                            && !Files.readString(p.resolve("stat")).contains(") Z ")) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return pids;
    }

    /**
     * Regression (issue 10, 3.7d): a child that daemonizes ({@code setsid -f}) leaves its process group, so the
     * group kill of a stop or restart missed what it forked: one orphan per restart, without a word.
     */
    @Test
    void restart_ofAChildThatDaemonizes_stopsTheOrphanItLeft() throws Exception {
        String service = "daemonizer" + ProcessHandle.current().pid();
        ServiceSpec.Process spec = sh("setsid -f sleep 300; exec sleep 301");
        List<Long> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            supervisor = new Supervisor(dir, new Supervisor.Listener() {
                @Override
                public void started(String s, long pid) {}

                @Override
                public void exited(String s, long pid, int exitCode, boolean stopRequested) {}

                @Override
                public void orphanStopped(String s, long pid, String command) {
                    assertEquals(service, s);
                    assertTrue(command.contains("sleep 300"), command);
                    reported.add(pid);
                }
            }, Supervisor.Options.DEFAULT);
            long first = supervisor.start(service, spec);
            Await.until("the first child's orphan", () -> marked(service).size() == 2);
            long second = supervisor.restart(service, spec);
            Await.until("the second child's orphan", () -> marked(service).size() >= 2);
            long third = supervisor.restart(service, spec);
            Await.until("the third child's orphan", () -> marked(service).size() >= 2);
            Set<Long> left = marked(service);
            assertEquals(2, left.size(), "only the third child and its own orphan may run: " + left + " (children "
                    + first + ", " + second + ", " + third + ")");
            assertTrue(left.contains(third), left.toString());
            assertEquals(2, reported.size(), "one report per orphan stopped: " + reported);
            supervisor.stop(service);
            Await.until("no orphan after the stop: " + marked(service), () -> marked(service).isEmpty());
            assertEquals(3, reported.size(), "the stop stopped the third child's orphan: " + reported);
        } finally {
            marked(service).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    static ServiceSpec.Process sh(String script, ServiceSpec.StopSignal stop, Duration stopTimeout) {
        return new ServiceSpec.Process(List.of("sh", "-c", script), Optional.empty(), Map.of(), stop, stopTimeout,
                Duration.ofSeconds(10));
    }

    static ServiceSpec.Process sh(String script) {
        return sh(script, ServiceSpec.StopSignal.TERM, Duration.ofSeconds(10));
    }

    private String stdout(String service) {
        return log(service, "stdout.log");
    }

    private String log(String service, String file) {
        try {
            Path f = supervisor.logDir(service).resolve(file);
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (java.nio.file.NoSuchFileException e) {
            return ""; // a rotation moved it meanwhile (.1 to .2 before the copy to .1)
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Heard next(String what) {
        Heard h = Await.next(heard, what);
        assertEquals(what.split(" ")[0], h.what(), "expected " + what + ", heard " + h);
        return h;
    }

    @Test
    void exit_childKilledExternally_reportedAtOnce() throws Exception {
        long pid = supervisor().start("web", sh("echo hi; exec sleep 60"));
        assertEquals(new Heard("started", "web", pid, 0, false), next("started"));
        // Killing before the shell has run its echo would lose the line: wait for it first.
        Await.until("hi in stdout.log", () -> stdout("web").equals("hi\n"));
        Process kill = new ProcessBuilder("kill", "-9", String.valueOf(pid)).start();
        assertEquals(0, kill.waitFor());
        assertEquals(new Heard("exited", "web", pid, 137, false), next("exited after kill -9"));
        assertEquals("hi\n", stdout("web"), "the log keeps what the child wrote before it died");
        assertTrue(supervisor.pid("web").isEmpty());
    }

    @Test
    void stop_childIgnoringTerm_killedAfterStopTimeout() throws Exception {
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Supervisor.class);
        log.addAppender(logged);
        logged.start();
        try {
            long pid = supervisor().start("web", sh("trap '' TERM; echo ready; while true; do sleep 1; done",
                    ServiceSpec.StopSignal.TERM, Duration.ofMillis(300)));
            next("started");
            Await.until("the TERM trap to be set", () -> stdout("web").contains("ready"));
            assertTrue(supervisor.stop("web"), "SIGKILL was needed");
            assertEquals(new Heard("exited", "web", pid, 137, true), next("exited"));
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            // Issue 12: durations were logged as Java prints them (PT0.3S), not as the config writes them.
            assertTrue(logged.list.stream().map(e -> e.getFormattedMessage())
                    .anyMatch(m -> m.contains("did not exit within stop_timeout 300ms after SIGTERM")), logged.list.toString());
        } finally {
            log.detachAppender(logged);
        }
    }

    @Test
    void stopSignal_int_reachesTheChild() throws Exception {
        assumeTrue(!childrenIgnore(2), "this JVM was started with SIGINT ignored, which every child inherits and"
                + " sh cannot trap; run the tests from a foreground shell");
        Path marker = dir.resolve("got-int");
        var spec = new ServiceSpec.Process(List.of("sh", "-c",
                "trap 'touch \"$MARKER\"; exit 0' INT; echo ready; while true; do sleep 1; done"), Optional.empty(),
                Map.of("MARKER", marker.toString()), ServiceSpec.StopSignal.INT, Duration.ofSeconds(10),
                Duration.ofSeconds(10));
        long pid = supervisor().start("web", spec);
        next("started");
        Await.until("the INT trap to be set", () -> stdout("web").contains("ready"));
        assertFalse(supervisor.stop("web"), "INT was enough, no SIGKILL");
        assertEquals(new Heard("exited", "web", pid, 0, true), next("exited"));
        assertTrue(Files.exists(marker), "the child's INT trap ran");
    }

    /** Whether a child of this JVM starts with signal {@code sig} ignored (SigIgn in /proc). */
    static boolean childrenIgnore(int sig) throws Exception {
        Process p = new ProcessBuilder("grep", "SigIgn", "/proc/self/status").start();
        String line = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        long mask = Long.parseUnsignedLong(line.substring(line.indexOf(':') + 1).strip(), 16);
        return (mask & (1L << (sig - 1))) != 0;
    }

    /**
     * Issue 13 changed how: the child writes its logs itself (O_APPEND, so they outlive the agent) and the supervisor
     * rotates them by copy-then-truncate every {@link ChildLogs#ROTATE_EVERY}. A file can therefore outgrow
     * maxBytes by what the child writes meanwhile, and a rotated file holds whole bursts, not at most 1000 bytes
     * cut at a line: that assertion went, the kept files, their order and their count stay.
     */
    @Test
    void output_rotatedBySize_keepsTheNewestFiles() throws Exception {
        supervisor(new Supervisor.Options(1000, 2, true, Duration.ofSeconds(5)));
        Path go = dir.resolve("go");
        supervisor.start("web", sh("b=0; while [ $b -lt 4 ]; do while [ ! -f " + go + " ]; do sleep 0.05; done; rm "
                + go + "; i=0; while [ $i -lt 25 ]; do echo \"burst $b line $i ..............................\";"
                + " i=$((i+1)); done; b=$((b+1)); done; echo done >&2; exec sleep 60"));
        next("started");
        Path logs = supervisor.logDir("web");
        for (int b = 0; b < 4; b++) {
            Files.writeString(go, "");
            String last = "burst " + b + " line 24 ";
            // 25 lines are over 1000 bytes: rotated within a second of being written
            Await.until(last + " rotated into stdout.log.1", () -> log("web", "stdout.log.1").contains(last)
                    && stdout("web").isEmpty());
        }
        assertEquals(burst(3), Files.readString(logs.resolve("stdout.log.1")));
        assertEquals(burst(2), Files.readString(logs.resolve("stdout.log.2")));
        assertFalse(Files.exists(logs.resolve("stdout.log.3")), "only two rotated files are kept");
        Await.until("done in stderr.log", () -> log("web", "stderr.log").equals("done\n"));
        assertFalse(Files.exists(logs.resolve("stderr.log.1")), "5 bytes are no reason to rotate");
    }

    private static String burst(int b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            s.append("burst ").append(b).append(" line ").append(i).append(" ..............................\n");
        }
        return s.toString();
    }

    @Test
    void envAndWorkdir_applied_nothingSurprisingInherited() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        var spec = new ServiceSpec.Process(List.of("sh", "-c", "echo \"$GREETING from $(pwd) as $HAAGENT_SERVICE\"; env"),
                Optional.of(work), Map.of("GREETING", "hello"), ServiceSpec.StopSignal.TERM, Duration.ofSeconds(10),
                Duration.ofSeconds(10));
        long pid = supervisor().start("web", spec);
        next("started");
        assertEquals(0, next("exited").code());
        Await.until("the env dump", () -> stdout("web").contains("GREETING="));
        List<String> lines = stdout("web").lines().toList();
        assertEquals("hello from " + work.toRealPath() + " as web", lines.get(0));
        Set<String> childEnv = lines.stream().skip(1).filter(l -> l.contains("="))
                .map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toSet());
        Set<String> expected = new HashSet<>(Set.of("PATH", "LANG", "LC_ALL", "TZ", "HAAGENT_SERVICE", "HAAGENT_STATE_DIR", "GREETING",
                "PWD", "SHLVL", "_", "OLDPWD"));
        assertTrue(expected.containsAll(childEnv), "unexpected variables: " + childEnv);
        for (String k : System.getenv().keySet()) {
            if (!expected.contains(k)) {
                assertFalse(childEnv.contains(k), k + " leaked from the agent's environment");
            }
        }
        assertTrue(pid > 0);
    }

    @Test
    void restart_replacesTheChild_oldExitReportedBeforeTheNewStart() throws Exception {
        long first = supervisor().start("web", sh("exec sleep 60"));
        next("started");
        long second = supervisor.restart("web", sh("exec sleep 61"));
        assertNotEquals(first, second);
        assertEquals(new Heard("exited", "web", first, 143, true), next("exited"));
        assertEquals(new Heard("started", "web", second, 0, false), next("started"));
        assertEquals(second, supervisor.pid("web").orElseThrow());
    }

    @Test
    void start_whileRunning_doesNotStartASecondChild() throws Exception {
        long pid = supervisor().start("web", sh("exec sleep 60"));
        assertEquals(pid, supervisor.start("web", sh("exec sleep 60")));
        assertEquals(pid, next("started").pid());
        assertEquals(pid, next("started again").pid());
    }

    @Test
    void start_missingProgram_failsWithAClearMessage() {
        var spec = new ServiceSpec.Process(List.of("no-such-program-xyz"), Optional.empty(), Map.of(),
                ServiceSpec.StopSignal.TERM, Duration.ofSeconds(1), Duration.ofSeconds(1));
        IOException e = assertThrows(IOException.class, () -> supervisor().start("web", spec));
        assertTrue(e.getMessage().startsWith("cannot start service web (no-such-program-xyz): 'no-such-program-xyz'"
                + " was not found in PATH"), e.getMessage());
        assertTrue(heard.isEmpty());
    }

    @Test
    void exit_leftoversInItsGroupAreKilled() throws Exception {
        Path pidFile = dir.resolve("orphan.pid");
        long pid = supervisor().start("web", sh("sleep 60 & echo $! > " + pidFile + "; exit 3"));
        next("started");
        assertEquals(new Heard("exited", "web", pid, 3, false), next("exited"));
        long orphan = Long.parseLong(Files.readString(pidFile).strip());
        Await.until("the orphaned sleep to be killed",
                () -> ProcessHandle.of(orphan).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void withoutProcessGroups_stopStillReachesTheChild() throws Exception {
        long pid = supervisor(new Supervisor.Options(1 << 20, 1, false, Duration.ofSeconds(5)))
                .start("web", sh("exec sleep 60"));
        next("started");
        assertFalse(supervisor.stop("web"));
        assertEquals(new Heard("exited", "web", pid, 143, true), next("exited"));
    }

    @Test
    void stop_withoutAChild_isANoOp() {
        assertFalse(supervisor().stop("web"));
        assertTrue(heard.isEmpty());
    }
}
