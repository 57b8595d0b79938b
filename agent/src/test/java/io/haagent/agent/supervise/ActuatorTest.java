package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.heal.Action;
import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.Observation;
import io.haagent.agent.heal.Observation.ProcessExited;
import io.haagent.agent.heal.Observation.RestartFinished;
import io.haagent.agent.heal.Observation.VmRestartFinished;
import io.haagent.config.ServiceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActuatorTest {
    @TempDir
    Path dir;
    Scripts scripts;
    final BlockingQueue<Observation> reports = new LinkedBlockingQueue<>();
    final BlockingQueue<HealEvent> events = new LinkedBlockingQueue<>();
    Supervisor supervisor;
    Actuator actuator;

    @BeforeEach
    void wire() throws Exception {
        scripts = new Scripts(dir);
        supervisor = new Supervisor(dir, Actuator.reportingTo(reports::add), Supervisor.Options.DEFAULT);
        actuator = new Actuator(supervisor, new Restarters(scripts.runner(), supervisor, Restarters.Timeouts.DEFAULT),
                reports::add, events::add);
    }

    @AfterEach
    void unwire() {
        actuator.close();
        supervisor.close();
    }

    @Test
    void startProcess_reportsTheStart_thenAnExternalKill() throws Exception {
        actuator.perform(new Action.StartProcess("web", SupervisorTest.sh("exec sleep 60"), Optional.empty()));
        RestartFinished started = assertInstanceOf(RestartFinished.class, Await.next(reports, "the start"));
        long pid = supervisor.pid("web").orElseThrow();
        assertEquals(new RestartFinished("web", true, "pid " + pid), started);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        assertEquals(new ProcessExited("web", pid, 137, false), Await.next(reports, "the exit"));
    }

    @Test
    void restartService_process_oldExitRequested_thenNewStart() throws Exception {
        actuator.perform(new Action.StartProcess("web", SupervisorTest.sh("exec sleep 60"), Optional.empty()));
        Await.next(reports, "the start");
        long old = supervisor.pid("web").orElseThrow();
        actuator.perform(new Action.RestartService("web", SupervisorTest.sh("exec sleep 60"), "abcd1234", "a test"));
        assertEquals(new ProcessExited("web", old, 143, true), Await.next(reports, "the old child's exit"));
        RestartFinished r = assertInstanceOf(RestartFinished.class, Await.next(reports, "the new start"));
        assertTrue(r.ok());
        assertTrue(reports.isEmpty(), "one report per fact: " + reports);
    }

    @Test
    void startProcess_missingProgram_reportsAFailedStart() throws Exception {
        var spec = new ServiceSpec.Process(List.of("/nonexistent/app"), Optional.empty(), java.util.Map.of(),
                ServiceSpec.StopSignal.TERM, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1));
        actuator.perform(new Action.StartProcess("web", spec, Optional.of("abcd1234")));
        RestartFinished r = assertInstanceOf(RestartFinished.class, Await.next(reports, "the failed start"));
        assertFalse(r.ok());
        assertEquals("cannot start service web (/nonexistent/app): /nonexistent/app is not an executable file",
                r.detail());
    }

    /** Regression (issue 10, 3.1): an action that throws anything must still end as a failed start, never silence. */
    @Test
    void startProcess_throwsARuntimeException_reportsAFailedStart() throws Exception {
        // ProcessBuilder refuses a NUL in the environment with IllegalArgumentException, not an IOException.
        var spec = new ServiceSpec.Process(List.of("sh", "-c", "exec sleep 60"), Optional.empty(),
                java.util.Map.of("BROKEN", "a\u0000b"), ServiceSpec.StopSignal.TERM, java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1));
        actuator.perform(new Action.StartProcess("web", spec, Optional.of("abcd1234")));
        RestartFinished r = assertInstanceOf(RestartFinished.class, Await.next(reports, "the failed start"));
        assertFalse(r.ok());
        assertTrue(r.detail().startsWith("java.lang.IllegalArgumentException: "), r.detail());
        actuator.perform(new Action.RestartService("web", spec, "abcd1234", "a test"));
        r = assertInstanceOf(RestartFinished.class, Await.next(reports, "the failed restart"));
        assertFalse(r.ok());
    }

    @Test
    void restartService_systemd_reportsWhatSystemctlDid() throws Exception {
        scripts.recorder("systemctl");
        actuator.perform(new Action.RestartService("app", new ServiceSpec.Systemd("app.service"), "abcd1234", "a test"));
        assertEquals(new RestartFinished("app", true, "systemctl restart app.service: exit 0: systemctl ok"),
                Await.next(reports, "the restart"));
    }

    @Test
    void escalateVm_failure_reportedAsAFailedVmRestart() throws Exception {
        scripts.script("xl", "echo 'domain dom1 not found' >&2; exit 1");
        actuator.perform(new Action.EscalateVm("web", new ServiceSpec.Xen("dom1", Path.of("/etc/xen/dom1.cfg")), "x", "a test"));
        VmRestartFinished r = assertInstanceOf(VmRestartFinished.class, Await.next(reports, "the VM restart"));
        assertEquals(new VmRestartFinished("web", false, "xl destroy dom1: exit 1: domain dom1 not found (tolerated);"
                + " then xl create /etc/xen/dom1.cfg: exit 1: domain dom1 not found"), r);
    }

    /**
     * Issue 12: stopping the agent while a restart_command ran waited 30 s for it, then left it and what it had
     * forked running under init. The stop kills the command's process group at once, whatever left it to init.
     */
    @Test
    void close_whileARestartCommandRuns_killsItAndWhatItLeftToInit_promptly() throws Exception {
        Path leftPid = dir.resolve("left.pid");
        Path cmdPid = dir.resolve("cmd.pid");
        // the inner shell exits at once: its sleep is re-parented to init, out of the command's descendants
        scripts.script("restart-app", Scripts.real("sh") + " -c '" + Scripts.real("sleep") + " 300 & echo $! > "
                + leftPid + "'; echo $$ > " + cmdPid + "; exec " + Scripts.real("sleep") + " 300");
        actuator.perform(new Action.RestartService("app", new ServiceSpec.RestartCommand(List.of("restart-app"),
                java.time.Duration.ofSeconds(120)), "abcd1234", "a test"));
        long left = pidIn(leftPid);
        long cmd = pidIn(cmdPid);
        try {
            long t0 = System.nanoTime();
            actuator.close();
            java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(took.compareTo(java.time.Duration.ofSeconds(5)) < 0, "the stop took " + took);
            // SIGKILLed before close returned; reaping takes init a moment
            Await.until("the restart command gone", () -> gone(cmd));
            Await.until("what the restart command left to init gone", () -> gone(left));
            RestartFinished r = assertInstanceOf(RestartFinished.class, Await.next(reports, "the cut-short restart"));
            assertFalse(r.ok());
        } finally {
            ProcessHandle.of(left).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(cmd).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean gone(long pid) {
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    private static long pidIn(Path file) {
        Await.until(file + " written", () -> {
            try {
                return java.nio.file.Files.readString(file).strip().matches("\\d+");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        try {
            return Long.parseLong(java.nio.file.Files.readString(file).strip());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void emit_deliveredAtOnce() {
        HealEvent e = new HealEvent("abcd1234", HealEvent.Kind.GIVE_UP, Optional.of("web"), "service web: gave up");
        actuator.perform(new Action.Emit(e));
        assertEquals(List.of(e), List.copyOf(events));
    }
}
