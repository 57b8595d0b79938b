package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.Observation;
import io.haagent.agent.heal.Healer;
import io.haagent.agent.heal.ServiceState;
import io.haagent.config.NodeConfig;
import io.haagent.config.ServiceSpec;
import io.haagent.time.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The real policy driving the real supervisor: the wiring the daemon does, end to end. */
class HealLoopTest {
    @TempDir
    Path dir;

    private static ServiceSpec service(String script, int maxRestarts) {
        var policy = new ServiceSpec.RestartPolicy(new ServiceSpec.Backoff(Duration.ZERO, Duration.ZERO), maxRestarts,
                Duration.ofMinutes(10), Optional.empty());
        return new ServiceSpec(List.of(), Optional.of(SupervisorTest.sh(script)), policy, Optional.empty(), List.of());
    }

    private final RecordingHooks heard = new RecordingHooks();

    private HealLoop loop(ServiceSpec web) {
        return new HealLoop(new Healer(Map.of("web", web), new NodeConfig.RestartBudget(100, Duration.ofMinutes(1)),
                new Healer.Options(0, Duration.ofSeconds(10))), dir, Ticker.SYSTEM, heard);
    }

    /**
     * Issue 12: the README said services start in dependency order, but each had its own lane and the spawns
     * raced (web -> app -> db started web first 4 times in 6). Each child now starts once its dependencies are
     * started and their checks UP.
     */
    @Test
    void boot_realChildren_startInDependencyOrder_eachOnceItsDependenciesAreUp() throws Exception {
        Map<String, ServiceSpec> services = new java.util.LinkedHashMap<>();
        services.put("app", withChecksAndDeps(service("exec sleep 60", 5), List.of("app-check"), List.of("db")));
        services.put("db", withChecksAndDeps(service("exec sleep 60", 5), List.of("db-check"), List.of()));
        services.put("web", withChecksAndDeps(service("exec sleep 60", 5), List.of(), List.of("app")));
        var healer = new Healer(services, new NodeConfig.RestartBudget(100, Duration.ofMinutes(1)),
                new Healer.Options(0, Duration.ofSeconds(10)));
        try (HealLoop loop = new HealLoop(healer, dir, Ticker.SYSTEM, heard)) {
            Await.until("db started", () -> loop.state().service("db").state() == ServiceState.STARTING);
            assertEquals(ServiceState.STOPPED, loop.state().service("app").state(), "db-check has no result yet");
            assertEquals(ServiceState.STOPPED, loop.state().service("web").state());
            loop.observe(new Observation.CheckWentUp("db-check"));
            Await.until("app started", () -> loop.state().service("app").state() == ServiceState.STARTING);
            assertEquals(ServiceState.STOPPED, loop.state().service("web").state(), "app-check has no result yet");
            loop.observe(new Observation.CheckWentUp("app-check"));
            Await.until("web started", () -> loop.state().service("web").state() == ServiceState.STARTING);
            assertEquals(List.of("db", "app", "web"), heard.started());
        }
    }

    /**
     * Issue 13: the watchdog reads the loop's heartbeat; a loop whose next wake-up was an hour away (a node paused
     * for an hour) slept that hour and would have looked stuck. It comes round at least every second now.
     */
    @Test
    void idleLoop_withItsNextWakeUpAnHourAway_stillBeatsEverySecond() throws Exception {
        var healer = new Healer(Map.of(), new NodeConfig.RestartBudget(100, Duration.ofMinutes(1)),
                new Healer.Options(0, Duration.ofSeconds(10)));
        try (HealLoop loop = new HealLoop(healer, dir, Ticker.SYSTEM, heard)) {
            loop.observe(new Observation.OperatorPaused(Optional.empty(), "test", Optional.of(Duration.ofHours(1))));
            Await.until("the node paused", () -> loop.state().nodePause().isPresent());
            for (int beat = 0; beat < 3; beat++) {
                long seen = loop.heartbeatNanos();
                // within half the watchdog's margin (ten beats), not the hour
                io.haagent.testkit.Eventually.within(Duration.ofSeconds(5), "beat " + beat + " of the idle heal loop",
                        () -> loop.heartbeatNanos() != seen);
            }
        }
    }

    /**
     * Issue 12: a VM restart that failed used up its escalation window (no retry for {@code within}), and counted
     * as an escalation. Now the next escalation tries again, and only the one that went well is VM_RESTARTED
     * (what haagent_escalations_total counts).
     */
    @Test
    void failedEscalation_isRetriedWithinItsWindow_andOnlyTheGoodOneCounts() throws Exception {
        Path runs = dir.resolve("vm-runs");
        Path vm = java.nio.file.Files.writeString(dir.resolve("reboot-vm"), "#!/bin/sh\necho run >> '" + runs
                + "'\n[ \"$(wc -l < '" + runs + "')\" -ge 2 ] || { echo 'no such domain' >&2; exit 1; }\n");
        Path restart = java.nio.file.Files.writeString(dir.resolve("restart-web"), "#!/bin/sh\nexit 0\n");
        for (Path p : List.of(vm, restart)) {
            java.nio.file.Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions
                    .fromString("rwxr-xr-x"));
        }
        var policy = new ServiceSpec.RestartPolicy(new ServiceSpec.Backoff(Duration.ofMillis(50), Duration.ofMillis(50)),
                1000, Duration.ofMinutes(10), Optional.empty());
        var web = new ServiceSpec(List.of("web"), Optional.of(new ServiceSpec.RestartCommand(List.of(restart.toString()),
                Duration.ofSeconds(10))), policy, Optional.of(new ServiceSpec.Escalation(1,
                new ServiceSpec.CommandVm(List.of(vm.toString()), Duration.ofSeconds(10)))), List.of());
        var healer = new Healer(Map.of("web", web), new NodeConfig.RestartBudget(1000, Duration.ofMinutes(1)),
                new Healer.Options(0, Duration.ofMillis(100)));
        try (HealLoop loop = new HealLoop(healer, dir, Ticker.SYSTEM, heard)) {
            loop.observe(new Observation.CheckWentDown("web", "HTTP 503"));
            Await.until("a VM restart that went well", () -> heard.events().stream()
                    .anyMatch(e -> e.kind() == HealEvent.Kind.VM_RESTARTED));
            assertEquals(2, java.nio.file.Files.readAllLines(runs).size(), String.join("\n", heard.log()));
            assertEquals(1, heard.events().stream().filter(e -> e.kind() == HealEvent.Kind.VM_RESTARTED).count());
        }
    }

    private static ServiceSpec withChecksAndDeps(ServiceSpec s, List<String> checks, List<String> dependsOn) {
        return new ServiceSpec(checks, s.means(), s.restart(), s.escalate(), dependsOn);
    }

    @Test
    void crashLoop_realChild_goesFatalAfterMaxRestarts() throws Exception {
        try (HealLoop loop = loop(service("exit 1", 3))) {
            Await.until("web to go FATAL", () -> loop.state().service("web").state() == ServiceState.FATAL);
            List<String> restarts = heard.log().stream().filter(l -> l.contains("restarting now")).toList();
            assertEquals(3, restarts.size(), String.join("\n", heard.log()));
            assertEquals(1, heard.events().stream().filter(e -> e.kind() == HealEvent.Kind.GIVE_UP).count());
            assertTrue(loop.supervisor().pid("web").isEmpty());
        }
    }

    // Issue 12: FATAL was logged at INFO, where nobody filtering for WARN sees it.
    @Test
    void crashLoop_realChild_theGiveUpIsLoggedAtWarn_theRestartsAtInfo() throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger("io.haagent.heal"); // the sentences' logger
        logger.addAppender(logged);
        logged.start();
        try (HealLoop loop = loop(service("exit 1", 3))) {
            Await.until("web to go FATAL", () -> loop.state().service("web").state() == ServiceState.FATAL);
            Await.until("the give-up logged", () -> logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("gave up")));
            List<ILoggingEvent> events = List.copyOf(logged.list);
            assertTrue(events.stream().filter(e -> e.getFormattedMessage().contains("gave up"))
                    .allMatch(e -> e.getLevel() == Level.WARN), events.toString());
            assertTrue(events.stream().filter(e -> e.getFormattedMessage().contains("restarting now"))
                    .allMatch(e -> e.getLevel() == Level.INFO), events.toString());
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void killedChild_isRestartedByThePolicy() throws Exception {
        try (HealLoop loop = loop(service("exec sleep 60", 5))) {
            Await.until("the first child", () -> loop.supervisor().pid("web").isPresent());
            long first = loop.supervisor().pid("web").getAsLong();
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            Await.until("a new child", () -> loop.supervisor().pid("web").orElse(first) != first);
            Await.until("the restart to finish", () -> loop.state().service("web").state() == ServiceState.STARTING);
            assertTrue(heard.log().stream().anyMatch(l -> l.matches("service web: restarting now \\(attempt 1 of 5\\)"
                    + " because process " + first + " exited with code 137 \\(signal 9, KILL\\) \\[event .{8}]")),
                    String.join("\n", heard.log()));
        }
    }

    /**
     * Regression (issue 10, 3.1, "a service wedged for good"): with the agent out of file descriptors a restart
     * threw something other than the failures it reports; the actuator never reported the restart as finished,
     * the service stayed RESTARTING for ever, later kills went unnoticed and an operator's restart was refused
     * as "already running". Here the supervisor's bookkeeping after a start throws the Error a JVM throws when it
     * cannot get a thread or a descriptor, until the cause goes away.
     */
    @Test
    void actionThatThrows_endsInBackoff_retries_andRecoversOnceTheCauseIsGone() throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        var policy = new ServiceSpec.RestartPolicy(new ServiceSpec.Backoff(Duration.ofMillis(100),
                Duration.ofMillis(200)), 1000, Duration.ofMinutes(10), Optional.empty());
        var process = new ServiceSpec.Process(List.of("sh", "-c", "exec sleep 60"), Optional.empty(), Map.of(),
                ServiceSpec.StopSignal.TERM, Duration.ofSeconds(5), Duration.ofMillis(200));
        var web = new ServiceSpec(List.of(), Optional.of(process), policy, Optional.empty(), List.of());
        var healer = new Healer(Map.of("web", web), new NodeConfig.RestartBudget(1000, Duration.ofMinutes(1)),
                new Healer.Options(0, Duration.ofSeconds(10)));
        try (HealLoop loop = new HealLoop(healer, dir, Ticker.SYSTEM, heard, l -> new Supervisor.Listener() {
            @Override
            public void started(String service, long pid) {
                if (failing.get()) {
                    throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/"
                            + "resource limits reached");
                }
                l.started(service, pid);
            }

            @Override
            public void exited(String service, long pid, int exitCode, boolean stopRequested) {
                l.exited(service, pid, exitCode, stopRequested);
            }
        })) {
            Await.until("web to leave RESTARTING for BACKOFF",
                    () -> loop.state().service("web").state() == ServiceState.BACKOFF);
            Await.until("a retry after the backoff", () -> heard.log().stream()
                    .filter(l -> l.startsWith("service web: restarting in")).count() >= 2);
            assertTrue(heard.log().stream().anyMatch(l -> l.contains("because the start failed: ")
                    && l.contains("OutOfMemoryError: unable to create native thread")), String.join("\n", heard.log()));

            failing.set(false);
            Await.until("web RUNNING once the cause is gone",
                    () -> loop.state().service("web").state() == ServiceState.RUNNING);
            long pid = loop.supervisor().pid("web").orElseThrow();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            Await.until("the kill noticed and healed", () -> loop.supervisor().pid("web").orElse(pid) != pid
                    && loop.state().service("web").state() == ServiceState.RUNNING);

            loop.observe(new Observation.RestartRequested("web", "test"));
            Await.until("the operator's restart", () -> heard.log().stream()
                    .anyMatch(l -> l.contains("an operator asked")));
            assertTrue(heard.log().stream().noneMatch(l -> l.contains("one is already running")),
                    String.join("\n", heard.log()));
        }
    }

    /**
     * Issue 10, 3.1, the same wedge one level up: a hook that throws (say, out of memory while updating a metric)
     * ended the heal loop's thread, and with it all healing, without a word.
     */
    @Test
    void hookThatThrowsOnce_healingCarriesOn() throws Exception {
        AtomicBoolean thrown = new AtomicBoolean();
        HealLoop.Hooks hooks = new HealLoop.Hooks() {
            @Override
            public void decided(io.haagent.agent.heal.Decision decision) {
                if (thrown.compareAndSet(false, true)) {
                    throw new OutOfMemoryError("Java heap space");
                }
                heard.decided(decision);
            }
        };
        try (HealLoop loop = new HealLoop(new Healer(Map.of("web", service("exec sleep 60", 5)),
                new NodeConfig.RestartBudget(100, Duration.ofMinutes(1)), new Healer.Options(0, Duration.ofSeconds(10))),
                dir, Ticker.SYSTEM, hooks)) {
            Await.until("the first child", () -> loop.supervisor().pid("web").isPresent());
            long first = loop.supervisor().pid("web").getAsLong();
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            Await.until("the kill healed after the hook threw", () -> loop.supervisor().pid("web").orElse(first) != first);
            assertTrue(thrown.get());
        }
    }
}
