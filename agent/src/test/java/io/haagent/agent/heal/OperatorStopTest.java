package io.haagent.agent.heal;

import static io.haagent.agent.heal.ServiceState.PAUSED;
import static io.haagent.agent.heal.ServiceState.RESTARTING;
import static io.haagent.agent.heal.ServiceState.RUNNING;
import static io.haagent.agent.heal.ServiceState.STARTING;
import static io.haagent.agent.heal.ServiceState.STOPPED;
import static io.haagent.agent.heal.Sim.policy;
import static io.haagent.agent.heal.Sim.processService;
import static io.haagent.agent.heal.Sim.services;
import static io.haagent.agent.heal.Sim.systemdService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.heal.Action.StartProcess;
import io.haagent.agent.heal.Action.StopProcess;
import io.haagent.agent.heal.Observation.CheckWentDown;
import io.haagent.agent.heal.Observation.OperatorPaused;
import io.haagent.agent.heal.Observation.OperatorResumed;
import io.haagent.agent.heal.Observation.OperatorStarted;
import io.haagent.agent.heal.Observation.OperatorStopped;
import io.haagent.agent.heal.Observation.ProcessExited;
import io.haagent.agent.heal.Observation.RestartFinished;
import io.haagent.agent.heal.Observation.RestartRequested;
import io.haagent.config.ServiceSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 12: an operator's stop and start of a supervised service ({@code haagent ctl stop|start}). */
class OperatorStopTest {

    private static Sim running(Map<String, ServiceSpec> services) {
        Sim sim = new Sim(services);
        sim.startAll();
        sim.state.services().forEach((n, s) -> assertEquals(RUNNING, s.state(), n));
        return sim;
    }

    private static Sim runningWeb() {
        return running(services(Map.entry("web", processService("web", policy(5)))));
    }

    @Test
    void stop_stopsTheChild_andNothingRestartsIt_whileItsChecksKeepCounting() {
        Sim sim = runningWeb();
        sim.on(new OperatorStopped("web", "disk swap"));
        assertEquals(List.of(new StopProcess("web", Sim.process("/srv/web"))), sim.last.actions());
        assertEquals(STOPPED, sim.stateOf("web"));
        assertEquals(Optional.of("disk swap"), sim.status("web").stoppedBy());
        assertEquals(List.of("service web: stopped because an operator asked: disk swap; its checks keep running,"
                + " nothing starts it until an operator starts it"), sim.last.log());

        sim.on(new ProcessExited("web", 100, 143, true));
        sim.on(new CheckWentDown("web", "connection refused"));
        sim.after(Duration.ofHours(1));
        assertEquals(STOPPED, sim.stateOf("web"));
        assertEquals(Map.of("web", "connection refused"), sim.status("web").checksDown(), "its checks still count");
        assertEquals(1, sim.allActions(StartProcess.class).size(), "only the boot's start");
        assertTrue(sim.allActions(Action.RestartService.class).isEmpty());
    }

    @Test
    void start_afterAStop_isAFreshStart_countersCleared() {
        Sim sim = runningWeb();
        sim.on(new ProcessExited("web", 100, 1, false));
        sim.wake();
        assertEquals(RESTARTING, sim.stateOf("web"));
        sim.on(new RestartFinished("web", true, "pid 101"));
        assertEquals(1, sim.status("web").restarts().size());

        sim.on(new OperatorStopped("web", "disk swap"));
        sim.on(new OperatorStarted("web", "disk swapped"));
        assertEquals(List.of(new StartProcess("web", Sim.process("/srv/web"), Optional.empty())), sim.last.actions());
        assertEquals(List.of("service web: started by an operator: disk swapped; starting /srv/web"), sim.last.log());
        assertEquals(List.of(), sim.status("web").restarts());
        assertEquals(Optional.empty(), sim.status("web").stoppedBy());
        sim.on(new RestartFinished("web", true, "pid 102"));
        assertEquals(STARTING, sim.stateOf("web"));
    }

    @Test
    void start_respectsDependencyOrder() {
        Sim sim = running(services(Map.entry("db", processService("db", policy(5))),
                Map.entry("app", processService("app", policy(5), "db"))));
        sim.on(new OperatorStopped("db", "upgrade"));
        sim.on(new OperatorStopped("app", "upgrade"));
        sim.on(new OperatorStarted("app", "upgrade done"));
        assertEquals(List.of(), sim.last.actions(), "app waits for db");
        assertEquals(List.of("service app: started by an operator: upgrade done; its start waits until dependency db"
                + " is started and its checks are UP"), sim.last.log());
        assertEquals(STOPPED, sim.stateOf("app"));

        sim.on(new OperatorStarted("db", "upgrade done"));
        assertEquals(List.of(new StartProcess("db", Sim.process("/srv/db"), Optional.empty())), sim.last.actions());
        sim.on(new RestartFinished("db", true, "pid 200"));
        assertEquals(List.of(new StartProcess("app", Sim.process("/srv/app"), Optional.empty())), sim.last.actions(),
                "app starts once db is started and its check UP");
    }

    @Test
    void start_ofAServiceNotStopped_isIgnored_andSaysSo() {
        Sim sim = runningWeb();
        sim.on(new OperatorStarted("web", "why not"));
        assertEquals(List.of(), sim.last.actions());
        assertEquals(List.of("service web: start ignored: it was not stopped by an operator (it is RUNNING); ask for"
                + " a restart to restart it"), sim.last.log());
    }

    @Test
    void stop_ofAServiceHaagentDoesNotRun_isIgnored_andSaysWhatToDo() {
        Sim sim = running(services(Map.entry("nginx", systemdService("nginx", policy(5)))));
        sim.on(new OperatorStopped("nginx", "x"));
        assertEquals(List.of(), sim.last.actions());
        assertEquals(RUNNING, sim.stateOf("nginx"));
        assertTrue(sim.log().contains("stop ignored: haagent does not run it (it has no process); stop it by its own"
                + " means, or pause it"), sim.log());
    }

    @Test
    void resumeOrNodePause_doNotStartAStoppedService_restartDoes() {
        Sim sim = runningWeb();
        sim.on(new OperatorStopped("web", "disk swap"));
        sim.on(new OperatorPaused(Optional.empty(), "kernel", Optional.of(Duration.ofMinutes(1))));
        assertEquals(STOPPED, sim.stateOf("web"));
        sim.after(Duration.ofMinutes(2));
        sim.on(new OperatorResumed(Optional.of("web"), "go"));
        assertEquals(STOPPED, sim.stateOf("web"));
        assertTrue(sim.log().contains("resume ignored: it stays STOPPED (an operator stopped it: disk swap); start it"),
                sim.log());
        sim.on(new RestartRequested("web", "now"));
        assertEquals(List.of(new StartProcess("web", Sim.process("/srv/web"), Optional.empty())), sim.last.actions(),
                "a restart of a stopped service is its start");
    }

    @Test
    void reload_keepsAnOperatorStop_whetherTheServiceChangedOrNot() {
        Sim sim = running(services(Map.entry("web", processService("web", policy(5))),
                Map.entry("api", processService("api", policy(5)))));
        sim.on(new OperatorStopped("web", "disk swap"));
        sim.on(new OperatorStopped("api", "disk swap"));
        Healer next = new Healer(services(Map.entry("web", processService("web", policy(5))),
                Map.entry("api", processService("api", policy(7)))), Sim.ROOMY, new Healer.Options(0, Sim.GRACE));
        Decision d = sim.healer.reload(next, sim.state, sim.clock.nanoTime());
        assertEquals(List.of(), d.actions(), "nothing started, nothing stopped twice");
        for (String n : List.of("web", "api")) {
            assertEquals(STOPPED, d.state().service(n).state(), n);
            assertEquals(Optional.of("disk swap"), d.state().service(n).stoppedBy(), n);
        }
    }

    @Test
    void stop_whilePaused_thenStart_startsIntoThePause() {
        Sim sim = runningWeb();
        sim.on(new OperatorPaused(Optional.of("web"), "deploy", Optional.empty()));
        sim.on(new OperatorStopped("web", "deploy"));
        assertEquals(STOPPED, sim.stateOf("web"));
        sim.on(new OperatorStarted("web", "deployed"));
        sim.on(new RestartFinished("web", true, "pid 300"));
        assertEquals(PAUSED, sim.stateOf("web"), "the pause still holds healing");
    }
}
