package io.haagent.agent.heal;

import static io.haagent.agent.heal.ServiceState.BACKOFF;
import static io.haagent.agent.heal.ServiceState.DOWN;
import static io.haagent.agent.heal.ServiceState.ESCALATING;
import static io.haagent.agent.heal.ServiceState.FATAL;
import static io.haagent.agent.heal.ServiceState.HELD;
import static io.haagent.agent.heal.ServiceState.PAUSED;
import static io.haagent.agent.heal.ServiceState.RESTARTING;
import static io.haagent.agent.heal.ServiceState.RUNNING;
import static io.haagent.agent.heal.ServiceState.STARTING;
import static io.haagent.agent.heal.ServiceState.WAITING;
import static io.haagent.agent.heal.Sim.policy;
import static io.haagent.agent.heal.Sim.processService;
import static io.haagent.agent.heal.Sim.services;
import static io.haagent.agent.heal.Sim.systemdService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.heal.Action.EscalateVm;
import io.haagent.agent.heal.Action.RestartService;
import io.haagent.agent.heal.Action.StartProcess;
import io.haagent.agent.heal.Action.StopProcess;
import io.haagent.agent.heal.HealEvent.Kind;
import io.haagent.agent.heal.Observation.AgentStarted;
import io.haagent.agent.heal.Observation.CheckWentDown;
import io.haagent.agent.heal.Observation.CheckWentUp;
import io.haagent.agent.heal.Observation.OperatorPaused;
import io.haagent.agent.heal.Observation.OperatorResumed;
import io.haagent.agent.heal.Observation.ProcessExited;
import io.haagent.agent.heal.Observation.RestartFinished;
import io.haagent.agent.heal.Observation.RestartRequested;
import io.haagent.agent.heal.Observation.TimePassed;
import io.haagent.agent.heal.Observation.VmRestartFinished;
import io.haagent.config.NodeConfig;
import io.haagent.config.ServiceSpec;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HealerTest {
    private static final Duration S1 = Duration.ofSeconds(1);
    private static final ServiceSpec.Libvirt WEB01 = new ServiceSpec.Libvirt("web01", Optional.empty());
    private static final String ID = "[0-9a-hjkmnp-tv-z]{8}";

    /** web is a supervised child judged by check web; started, through its grace, RUNNING. */
    private static Sim runningWeb(ServiceSpec web) {
        Sim sim = new Sim(services(Map.entry("web", web)));
        startAll(sim);
        return sim;
    }

    private static void startAll(Sim sim) {
        sim.startAll();
        sim.state.services().forEach((n, s) -> assertEquals(RUNNING, s.state(), n));
    }

    /** Performs the pending restart the way an actuator would: done, ok. */
    private static void restartOk(Sim sim, String service) {
        assertEquals(RESTARTING, sim.stateOf(service), sim.log());
        sim.on(new RestartFinished(service, true, "ok"));
        assertEquals(STARTING, sim.stateOf(service), sim.log());
    }

    // ---- backoff ------------------------------------------------------------------------------

    @Test
    void backoff_thirdFailure_waitsFourTimesInitialWithinJitter() {
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5)))), Sim.ROOMY, 0.2);
        startAll(sim);
        sim.on(new CheckWentDown("web", "HTTP 503"));
        assertBetween(sim.untilWake(), 1.0, 1.2);
        sim.wake();
        restartOk(sim, "web");
        sim.wake(); // the grace ends with the check still DOWN: second failure
        assertEquals(BACKOFF, sim.stateOf("web"));
        assertBetween(sim.untilWake(), 2.0, 2.4);
        sim.wake();
        restartOk(sim, "web");
        sim.wake(); // third failure
        assertEquals(BACKOFF, sim.stateOf("web"), sim.log());
        assertBetween(sim.untilWake(), 4.0, 4.8);
        assertTrue(sim.log().contains("(attempt 3 of 5)"), sim.log());
    }

    private static void assertBetween(long nanos, double lowSeconds, double highSeconds) {
        assertTrue(nanos >= (long) (lowSeconds * 1e9) && nanos < (long) (highSeconds * 1e9),
                nanos / 1e9 + "s is not within [" + lowSeconds + "s, " + highSeconds + "s)");
    }

    @Test
    void backoff_doublesPerFailure_cappedAtMax() {
        var p = policy(S1, Duration.ofSeconds(5), 100, Duration.ofMinutes(10), Optional.empty());
        Sim sim = runningWeb(processService("web", p));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        List<Long> delays = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            delays.add(sim.untilWake() / 1_000_000_000L);
            sim.wake();
            restartOk(sim, "web");
            sim.wake();
        }
        assertEquals(List.of(1L, 2L, 4L, 5L, 5L), delays);
    }

    @Test
    void backoff_sameSeed_sameJitter_decideIsPure() {
        ServiceSpec web = processService("web", policy(5));
        Sim a = new Sim(services(Map.entry("web", web)), Sim.ROOMY, 0.5);
        Sim b = new Sim(services(Map.entry("web", web)), Sim.ROOMY, 0.5);
        for (Sim s : List.of(a, b)) {
            startAll(s);
            s.on(new CheckWentDown("web", "HTTP 503"));
        }
        assertEquals(a.last, b.last, "same observation, state and time: same decision");
        assertEquals(a.last, a.healer.decide(new CheckWentDown("web", "HTTP 503"), a.all.get(a.all.size() - 2).state(),
                a.clock.nanoTime()), "deciding again from the same state gives the same decision");
    }

    @Test
    void backoff_checkRecoversDuringBackoff_cancelsRestart() {
        Sim sim = runningWeb(processService("web", policy(5)));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        String id = sim.status("web").eventId();
        sim.on(new CheckWentUp("web"));
        assertEquals(RUNNING, sim.stateOf("web"));
        assertEquals(List.of("service web: check web went UP; restart cancelled [event " + id + "]"), sim.last.log());
        sim.after(Duration.ofMinutes(1));
        assertTrue(sim.allActions(RestartService.class).isEmpty());
    }

    // ---- what a failure restarts --------------------------------------------------------------

    @Test
    void checkDown_childAlive_restartsServiceByItsMeansWithOneSentence() {
        Sim sim = runningWeb(processService("web", policy(5)));
        sim.on(new CheckWentDown("web", "HTTP 503 in 12ms"));
        assertEquals(BACKOFF, sim.stateOf("web"));
        String id = sim.status("web").eventId();
        assertTrue(id.matches(ID), id);
        assertEquals(List.of("service web: restarting in 1s (attempt 1 of 5) because check web went DOWN: HTTP 503 in"
                + " 12ms [event " + id + "]"), sim.last.log());
        assertTrue(sim.last.actions().isEmpty(), "nothing to do until the backoff is over");

        sim.wake();
        RestartService r = assertInstanceOf(RestartService.class, sim.last.actions().get(0));
        assertEquals(id, r.eventId());
        assertInstanceOf(ServiceSpec.Process.class, r.means());
        HealEvent e = ((Action.Emit) sim.last.actions().get(1)).event();
        assertEquals(new HealEvent(id, Kind.RESTART, Optional.of("web"), "service web: restarting now (attempt 1 of 5)"
                + " because check web went DOWN: HTTP 503 in 12ms [event " + id + "]"), e);
        assertEquals(List.of(e.sentence()), sim.last.log());
    }

    @Test
    void processExit_whileRunning_startsANewChildAfterTheBackoff() {
        Sim sim = runningWeb(processService("web", policy(5)));
        sim.on(new ProcessExited("web", 100, 137, false));
        assertTrue(sim.log().contains("because process 100 exited with code 137 (signal 9, KILL)"), sim.log());
        sim.wake();
        StartProcess s = assertInstanceOf(StartProcess.class, sim.last.actions().get(0));
        assertEquals(Optional.of(sim.status("web").eventId()), s.eventId());
    }

    @Test
    void processExit_requestedByTheAgent_isNotAFailure() {
        Sim sim = runningWeb(processService("web", policy(5)));
        sim.on(new ProcessExited("web", 100, 143, true));
        assertEquals(RUNNING, sim.stateOf("web"));
        assertTrue(sim.last.log().isEmpty() && sim.last.actions().isEmpty());
    }

    @Test
    void restartFailed_countsAsAFailure_andBacksOffLonger() {
        Sim sim = runningWeb(systemdService("web", policy(5)));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        sim.wake();
        sim.on(new RestartFinished("web", false, "systemctl restart web.service: exit 1: Unit web.service not found."));
        assertEquals(BACKOFF, sim.stateOf("web"));
        assertEquals(2_000_000_000L, sim.untilWake());
        assertTrue(sim.log().contains("because the restart failed: systemctl restart web.service: exit 1"), sim.log());
    }

    @Test
    void steadyState_timePassing_saysAndDoesNothing() {
        Sim sim = runningWeb(processService("web", policy(5)));
        sim.after(Duration.ofHours(5));
        assertTrue(sim.last.log().isEmpty());
        assertTrue(sim.last.actions().isEmpty());
        assertEquals(Decision.NEVER, sim.last.nextWakeAtNanos());
    }

    @Test
    void noRestartMeans_checkDown_reportedDownWithoutAction() {
        ServiceSpec watchOnly = new ServiceSpec(List.of("web"), Optional.empty(), policy(5), Optional.empty(), List.of());
        Sim sim = runningWeb(watchOnly);
        sim.on(new CheckWentDown("web", "HTTP 503"));
        assertEquals(DOWN, sim.stateOf("web"));
        assertTrue(sim.last.actions().isEmpty());
        sim.on(new CheckWentUp("web"));
        assertEquals(RUNNING, sim.stateOf("web"));
    }

    @Test
    void noRestartMeans_withEscalation_restartsTheVmOncePerWindow() {
        ServiceSpec domU = Sim.withEscalation(new ServiceSpec(List.of("web"), Optional.empty(), policy(5),
                Optional.empty(), List.of()), 5, new ServiceSpec.Xen("dom1", java.nio.file.Path.of("/etc/xen/dom1.cfg")));
        Sim sim = runningWeb(domU);
        sim.on(new CheckWentDown("web", "timeout"));
        assertEquals(ESCALATING, sim.stateOf("web"));
        assertTrue(sim.log().matches("service web: restarting VM dom1 \\(xen\\) because the service has no other"
                + " restart means: check web went DOWN: timeout \\[event " + ID + "]"), sim.log());
        sim.on(new VmRestartFinished("web", true, "xl create /etc/xen/dom1.cfg"));
        sim.wake();
        assertEquals(DOWN, sim.stateOf("web"), "still down, and the window allows no second VM restart");
        assertEquals(1, sim.allActions(EscalateVm.class).size());
    }

    // ---- start grace --------------------------------------------------------------------------

    @Test
    void startGrace_failingCheckRightAfterStart_ignored() {
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5)))));
        sim.on(new AgentStarted());
        sim.on(new RestartFinished("web", true, "pid 100"));
        sim.after(Duration.ofSeconds(2));
        sim.on(new CheckWentDown("web", "connection refused"));
        assertEquals(STARTING, sim.stateOf("web"));
        assertTrue(sim.last.actions().isEmpty());
        assertEquals(List.of("service web: check web went DOWN: connection refused; ignored inside the start grace"
                + " (8s left)"), sim.last.log());
        sim.after(Duration.ofSeconds(3));
        sim.on(new CheckWentUp("web"));
        sim.wake();
        assertEquals(RUNNING, sim.stateOf("web"));
        assertTrue(sim.allActions(RestartService.class).isEmpty());
    }

    @Test
    void startGrace_checkStillDownWhenItEnds_isAFailure() {
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5)))));
        sim.on(new AgentStarted());
        sim.on(new RestartFinished("web", true, "pid 100"));
        sim.on(new CheckWentDown("web", "connection refused"));
        sim.wake();
        assertEquals(BACKOFF, sim.stateOf("web"));
        assertTrue(sim.log().contains("because check web was still DOWN at the end of the 10s start grace:"
                + " connection refused"), sim.log());
    }

    @Test
    void startGrace_exitRightAfterStart_isNotIgnored() {
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5)))));
        sim.on(new AgentStarted());
        sim.on(new RestartFinished("web", true, "pid 100"));
        sim.on(new ProcessExited("web", 100, 1, false));
        assertEquals(BACKOFF, sim.stateOf("web"));
    }

    @Test
    void slowStarter_healthyAfterGrace_resetsCounter() {
        Sim sim = runningWeb(processService("web", policy(10)));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        for (int i = 0; i < 3; i++) { // three restarts that did not help: the backoff grew to 4s
            sim.wake();
            restartOk(sim, "web");
            if (i < 2) {
                sim.wake();
            }
        }
        assertEquals(3, sim.status("web").failures());
        // The third restart works, slowly: DOWN (ignored) inside the grace, UP before it ends.
        sim.after(Duration.ofSeconds(9));
        sim.on(new CheckWentUp("web"));
        sim.wake();
        assertEquals(RUNNING, sim.stateOf("web"));
        assertEquals(0, sim.status("web").failures());
        assertTrue(sim.log().matches("service web: running: healthy through the 10s start grace; failure counters"
                + " reset \\[event " + ID + "]"), sim.log());

        sim.after(Duration.ofMinutes(1));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        assertEquals(1_000_000_000L, sim.untilWake(), "the next failure waits the initial backoff again");
    }

    // ---- give up, rearm, escalate -------------------------------------------------------------

    /** web crashes on every start; max 3 restarts within 10m; escalation after 3 to libvirt. */
    private static Sim crashLoop(Optional<Duration> rearm) {
        var p = policy(S1, Duration.ofSeconds(60), 3, Duration.ofMinutes(10), rearm);
        Sim sim = runningWeb(Sim.withEscalation(processService("web", p), 3, WEB01));
        crash(sim, 4);
        return sim;
    }

    private static void crash(Sim sim, int times) {
        for (int i = 0; i < times; i++) {
            sim.on(new ProcessExited("web", 100 + i, 1, false));
            if (sim.stateOf("web") == BACKOFF) {
                sim.wake();
                sim.on(new RestartFinished("web", true, "pid " + (101 + i)));
            }
        }
    }

    // Issue 12: a give-up (FATAL) was logged at INFO like a routine restart.
    @Test
    void giveUp_isSaidAtWarn_aRestartAtInfo() {
        var p = policy(S1, Duration.ofSeconds(60), 3, Duration.ofMinutes(10), Optional.empty());
        Sim sim = runningWeb(processService("web", p));
        sim.on(new ProcessExited("web", 100, 1, false));
        sim.wake();
        assertEquals(List.of(Sentence.Severity.INFO), sim.last.sentences().stream().map(Sentence::severity).toList(),
                sim.log());
        sim.on(new RestartFinished("web", true, "pid 101"));
        crash(sim, 3);
        assertEquals(FATAL, sim.stateOf("web"));
        assertEquals(List.of(Sentence.Severity.WARN), sim.last.sentences().stream().map(Sentence::severity).toList(),
                sim.log());
    }

    // Issue 12: an escalation to a VM restart is the agent's loudest act; it was logged at INFO.
    @Test
    void giveUpThatEscalates_isSaidAtError() {
        Sim sim = crashLoop(Optional.empty());
        assertEquals(FATAL, sim.stateOf("web"));
        assertEquals(List.of(Sentence.Severity.ERROR), sim.last.sentences().stream().map(Sentence::severity).toList(),
                sim.log());
    }

    @Test
    void crashLoop_exceedsMaxRestarts_goesFatalAndEscalatesOnce() {
        Sim sim = crashLoop(Optional.empty());
        assertEquals(FATAL, sim.stateOf("web"));
        assertEquals(3, sim.allActions(StartProcess.class).size() - 1, "three restarts after the first start");
        HealEvent gaveUp = sim.allEvents(Kind.GIVE_UP).getFirst();
        HealEvent escalation = sim.allEvents(Kind.ESCALATION).getFirst();
        assertEquals("service web: gave up after 3 restarts within 10m because process 103 exited with code 1; FATAL"
                + " until an operator resumes it; restarting VM web01 (libvirt) [event " + gaveUp.id() + ", escalation "
                + escalation.id() + "]", gaveUp.sentence());
        assertEquals(List.of(gaveUp.sentence()), sim.last.log());
        EscalateVm vm = sim.actions(EscalateVm.class).getFirst();
        assertEquals(new EscalateVm("web", WEB01, escalation.id(),
                "the service went FATAL: process 103 exited with code 1"), vm);

        sim.on(new VmRestartFinished("web", true, "virsh destroy web01; virsh start web01"));
        sim.after(Duration.ofMinutes(5));
        assertEquals(FATAL, sim.stateOf("web"), "FATAL stays until an operator acts");
        assertEquals(Decision.NEVER, sim.last.nextWakeAtNanos());

        sim.on(new OperatorResumed(Optional.of("web"), "fixed the config"));
        assertEquals(BACKOFF, sim.stateOf("web"));
        assertTrue(sim.log().contains("left FATAL because an operator resumed it: fixed the config"), sim.log());
        sim.wake();
        sim.on(new RestartFinished("web", true, "pid 200"));
        crash(sim, 4);
        assertEquals(FATAL, sim.stateOf("web"));
        assertEquals(2, sim.allEvents(Kind.GIVE_UP).size());
        assertEquals(1, sim.allActions(EscalateVm.class).size(), "at most one escalation per 10m window");

        sim.after(Duration.ofMinutes(10));
        sim.on(new OperatorResumed(Optional.of("web"), "try again"));
        sim.wake();
        sim.on(new RestartFinished("web", true, "pid 300"));
        crash(sim, 4);
        assertEquals(2, sim.allActions(EscalateVm.class).size(), "a new window, a new escalation");
    }

    @Test
    void rearmAfter_quietPeriod_leavesFatal() {
        Sim sim = crashLoop(Optional.of(Duration.ofHours(1)));
        assertEquals(FATAL, sim.stateOf("web"));
        assertTrue(sim.allEvents(Kind.GIVE_UP).getFirst().sentence()
                .contains("FATAL until an operator resumes it or 1h pass without a new failure"));
        sim.after(Duration.ofMinutes(59));
        assertEquals(FATAL, sim.stateOf("web"));
        sim.wake();
        assertEquals(BACKOFF, sim.stateOf("web"), sim.log());
        assertTrue(sim.log().startsWith("service web: left FATAL after 1h without a new failure (rearm_after);"
                + " restarting in 1s (attempt 1 of 3) because process 103 exited with code 1"), sim.log());
    }

    @Test
    void rearmAfter_newFailureWhileFatal_startsTheQuietClockOver() {
        var p = policy(S1, Duration.ofSeconds(60), 3, Duration.ofMinutes(10), Optional.of(Duration.ofHours(1)));
        Sim sim = runningWeb(systemdService("web", p));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        while (sim.stateOf("web") != FATAL) {
            sim.wake(); // backoff over: restart; then the grace ends with the check DOWN
            if (sim.stateOf("web") == RESTARTING) {
                sim.on(new RestartFinished("web", true, "ok"));
            }
        }
        sim.after(Duration.ofMinutes(30));
        sim.on(new CheckWentUp("web"));
        sim.on(new CheckWentDown("web", "HTTP 500"));
        sim.after(Duration.ofMinutes(31));
        assertEquals(FATAL, sim.stateOf("web"), "a failure 30m in: quiet only from then on");
        sim.wake();
        assertEquals(BACKOFF, sim.stateOf("web"));
    }

    @Test
    void escalation_checksDownForAfterRestarts_restartsVmOncePerWindow() {
        var p = policy(S1, Duration.ofSeconds(1), 10, Duration.ofMinutes(10), Optional.empty());
        Sim sim = runningWeb(Sim.withEscalation(systemdService("web", p), 2, WEB01));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        int restarts = 0;
        while (restarts < 5) {
            sim.wake();
            if (sim.stateOf("web") == RESTARTING) {
                restarts++;
                sim.on(new RestartFinished("web", true, "ok"));
            } else if (sim.stateOf("web") == ESCALATING) {
                assertEquals(2, restarts, "after two restarts that did not help");
                assertTrue(sim.log().matches("service web: restarting VM web01 \\(libvirt\\) because 2 restarts did not"
                        + " help: check web was still DOWN .* \\[event " + ID + "]"), sim.log());
                sim.on(new VmRestartFinished("web", true, "virsh start web01"));
                assertEquals(STARTING, sim.stateOf("web"));
            }
        }
        assertEquals(1, sim.allActions(EscalateVm.class).size(), "the second escalation is due but within 10m");
        assertEquals(1, sim.allEvents(Kind.ESCALATION).size());
    }

    /** Issue 12: "after 1 restarts". */
    @Test
    void escalation_afterOneRestart_saysOneRestartInTheSingular() {
        var p = policy(S1, Duration.ofSeconds(1), 10, Duration.ofMinutes(10), Optional.empty());
        Sim sim = runningWeb(Sim.withEscalation(systemdService("web", p), 1, WEB01));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        sim.wake();
        restartOk(sim, "web");
        sim.wake();
        assertEquals(ESCALATING, sim.stateOf("web"));
        assertTrue(sim.log().startsWith("service web: restarting VM web01 (libvirt) because 1 restart did not help: "),
                sim.log());
    }

    @Test
    void escalation_vmRestartFailed_fallsBackToRestarts() {
        var p = policy(S1, Duration.ofSeconds(1), 10, Duration.ofMinutes(10), Optional.empty());
        Sim sim = runningWeb(Sim.withEscalation(systemdService("web", p), 1, WEB01));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        sim.wake();
        restartOk(sim, "web");
        sim.wake();
        assertEquals(ESCALATING, sim.stateOf("web"));
        sim.on(new VmRestartFinished("web", false, "virsh start web01: exit 1: error: failed to get domain"));
        assertEquals(BACKOFF, sim.stateOf("web"));
        assertTrue(sim.log().contains("because the VM restart failed: virsh start web01"), sim.log());
    }

    // ---- the host restart budget --------------------------------------------------------------

    @Test
    void hostBudget_stampede_holdsRestartsAndEmitsOneEvent() {
        Map<String, ServiceSpec> six = new java.util.LinkedHashMap<>();
        for (String n : List.of("a", "b", "c", "d", "e", "f")) {
            six.put(n, new ServiceSpec(List.of("net"), Optional.of(new ServiceSpec.Systemd(n + ".service")), policy(5),
                    Optional.empty(), List.of()));
        }
        Sim sim = new Sim(six, new NodeConfig.RestartBudget(3, Duration.ofMinutes(1)), 0);
        startAll(sim);
        sim.on(new CheckWentDown("net", "no route to host"));
        sim.wake();
        assertEquals(List.of("a", "b", "c"), sim.actions(RestartService.class).stream().map(RestartService::service).toList());
        for (String n : List.of("d", "e", "f")) {
            assertEquals(HELD, sim.stateOf(n));
        }
        List<HealEvent> held = sim.allEvents(Kind.HOST_HELD);
        assertEquals(1, held.size(), "one event for the host, not one per service");
        assertTrue(held.getFirst().sentence().matches("node: suspecting the host: 3 restarts within 1m spent the host"
                + " restart budget \\(node.restart_budget\\); holding restarts of d, e, f until the window clears in 1m"
                + " \\[event " + ID + "]"), held.getFirst().sentence());
        assertTrue(sim.last.log().contains(held.getFirst().sentence()));

        // a, b, c come back still failing: their next restarts are held too, silently for the host.
        for (String n : List.of("a", "b", "c")) {
            sim.on(new RestartFinished(n, true, "ok"));
        }
        sim.wake(); // grace over, still DOWN: backoff
        sim.wake(); // backoff over: held
        assertEquals(List.of(HELD, HELD, HELD), List.of(sim.stateOf("a"), sim.stateOf("b"), sim.stateOf("c")));
        assertEquals(1, sim.allEvents(Kind.HOST_HELD).size());
        assertEquals(3, sim.allActions(RestartService.class).size());

        sim.wake(); // the window clears: three more restarts, in start order, the rest stay held
        assertEquals(List.of("a", "b", "c"), sim.actions(RestartService.class).stream().map(RestartService::service).toList());
        assertEquals(0, sim.allEvents(Kind.HOST_RELEASED).size());

        sim.on(new CheckWentUp("net")); // the host recovered: held restarts cancelled
        assertEquals(List.of(RUNNING, RUNNING, RUNNING), List.of(sim.stateOf("d"), sim.stateOf("e"), sim.stateOf("f")));
        assertEquals(0, sim.allEvents(Kind.HOST_RELEASED).size(), "the budget is still spent: same episode");
        sim.after(Duration.ofMinutes(1)); // the window clears: the episode ends with one event
        assertEquals(1, sim.allEvents(Kind.HOST_RELEASED).size());
        assertFalse(sim.state.budget().holding());
        assertEquals(1, sim.allEvents(Kind.HOST_HELD).size());
    }

    @Test
    void hostBudget_windowClears_releasesHeldRestarts() {
        Map<String, ServiceSpec> two = services(Map.entry("a", systemdService("a", policy(5))),
                Map.entry("b", systemdService("b", policy(5))));
        Sim sim = new Sim(two, new NodeConfig.RestartBudget(1, Duration.ofMinutes(1)), 0);
        startAll(sim);
        sim.on(new CheckWentDown("a", "x"));
        sim.on(new CheckWentDown("b", "y"));
        sim.wake();
        assertEquals(RESTARTING, sim.stateOf("a"));
        assertEquals(HELD, sim.stateOf("b"));
        assertEquals(60_000_000_000L, sim.untilWake(), "wakes when the window clears");
        sim.wake();
        assertEquals(RESTARTING, sim.stateOf("b"));
        assertEquals(0, sim.allEvents(Kind.HOST_RELEASED).size(), "b's restart spent the budget again");
        sim.wake();
        assertEquals(1, sim.allEvents(Kind.HOST_HELD).size());
        assertEquals(1, sim.allEvents(Kind.HOST_RELEASED).size());
        assertEquals(Decision.NEVER, sim.last.nextWakeAtNanos());
    }

    /** Regression: the episode used to end (and a second HOST_HELD mail follow) whenever no service was HELD. */
    @Test
    void hostBudget_heldServiceRecoversInsideTheWindow_nextHoldIsTheSameEpisode() {
        Map<String, ServiceSpec> three = services(Map.entry("a", systemdService("a", policy(5))),
                Map.entry("b", systemdService("b", policy(5))), Map.entry("c", systemdService("c", policy(5))));
        Sim sim = new Sim(three, new NodeConfig.RestartBudget(1, Duration.ofMinutes(1)), 0);
        startAll(sim);
        sim.on(new CheckWentDown("a", "x"));
        sim.wake();
        sim.on(new CheckWentDown("b", "y"));
        sim.wake();
        assertEquals(HELD, sim.stateOf("b"));
        sim.on(new CheckWentUp("b"));
        assertEquals(RUNNING, sim.stateOf("b"));
        sim.on(new CheckWentDown("c", "z"));
        sim.wake();
        assertEquals(HELD, sim.stateOf("c"));
        assertEquals(1, sim.allEvents(Kind.HOST_HELD).size());
        assertEquals(0, sim.allEvents(Kind.HOST_RELEASED).size());
    }

    // ---- dependencies -------------------------------------------------------------------------

    private static Sim webOnRedis() {
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5), "redis")),
                Map.entry("redis", processService("redis", policy(5)))));
        startAll(sim);
        return sim;
    }

    @Test
    void dependencyDown_ownCheckFailing_doesNotRestart() {
        Sim sim = webOnRedis();
        sim.on(new CheckWentDown("redis", "connection refused"));
        sim.on(new CheckWentDown("web", "HTTP 500: redis unavailable"));
        assertEquals(WAITING, sim.stateOf("web"));
        assertEquals(List.of("service web: check web went DOWN: HTTP 500: redis unavailable; not restarted because"
                + " dependency redis is down and its recovery comes first"), sim.last.log());
        sim.wake(); // redis' backoff: only redis restarts
        assertEquals(List.of("redis"), sim.actions(RestartService.class).stream().map(RestartService::service).toList());
        restartOk(sim, "redis");
        sim.after(Duration.ofMinutes(5));
        assertEquals(WAITING, sim.stateOf("web"), "redis is still DOWN by its check");
        assertTrue(sim.allActions(RestartService.class).stream().noneMatch(r -> r.service().equals("web")));
    }

    @Test
    void dependencyRecovers_waitingService_getsAGraceThenARestart() {
        Sim sim = webOnRedis();
        sim.on(new CheckWentDown("redis", "connection refused"));
        sim.on(new CheckWentDown("web", "HTTP 500"));
        sim.wake();
        restartOk(sim, "redis");
        sim.on(new CheckWentUp("redis"));
        assertEquals(STARTING, sim.stateOf("web"));
        assertTrue(sim.log().contains("service web: its dependencies are up again; its own checks count after a 10s"
                + " grace"), sim.log());
        sim.wake(); // both graces end; web is still DOWN
        assertEquals(BACKOFF, sim.stateOf("web"));
        sim.wake();
        assertEquals(List.of("web"), sim.actions(RestartService.class).stream().map(RestartService::service).toList());
    }

    @Test
    void dependencyRecovers_serviceRecoveredWithIt_noRestart() {
        Sim sim = webOnRedis();
        sim.on(new CheckWentDown("redis", "connection refused"));
        sim.on(new ProcessExited("web", 100, 1, false));
        assertEquals(WAITING, sim.stateOf("web"), "an exit waits for the dependency too");
        sim.wake();
        restartOk(sim, "redis");
        sim.on(new CheckWentUp("redis"));
        assertEquals(BACKOFF, sim.stateOf("web"), "its child is gone: restarted once redis is up");
        sim.wake();
        assertEquals("web", sim.actions(StartProcess.class).getFirst().service());
    }

    /**
     * Issue 12 changes this test: both children were started in one decision and their spawns raced, so web
     * often started before redis. A dependent now starts once its dependency is started and its checks are UP.
     */
    @Test
    void boot_startsADependentOnceItsDependencyIsStartedAndUp() {
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5), "redis")),
                Map.entry("redis", processService("redis", policy(5)))));
        assertEquals(List.of("redis", "web"), sim.healer.startOrder());
        sim.on(new AgentStarted());
        assertEquals(List.of("redis"), sim.actions(StartProcess.class).stream().map(StartProcess::service).toList());
        assertTrue(sim.actions(StartProcess.class).stream().allMatch(s -> s.eventId().isEmpty()),
                "a first start is not a restart");
        assertEquals(List.of("service redis: starting /srv/redis", "service web: its start waits until dependency"
                + " redis is started and its checks are UP"), sim.last.log());
        sim.on(new RestartFinished("redis", true, "pid 100"));
        assertTrue(sim.actions(StartProcess.class).isEmpty(), "redis is started, but its check has no result yet");
        assertEquals(ServiceState.STOPPED, sim.stateOf("web"));
        sim.on(new CheckWentDown("redis", "connection refused"));
        sim.after(Duration.ofSeconds(5));
        assertTrue(sim.allActions(StartProcess.class).stream().noneMatch(s -> s.service().equals("web")));
        sim.on(new CheckWentUp("redis"));
        assertEquals(List.of("web"), sim.actions(StartProcess.class).stream().map(StartProcess::service).toList());
        assertEquals(RESTARTING, sim.stateOf("web"));
    }

    /** A dependency that nothing starts (only watched) lets its dependents start in the same decision. */
    @Test
    void boot_watchedDependencyWithoutChecks_dependentStartsAtOnce() {
        var net = new ServiceSpec(List.of(), Optional.empty(), policy(5), Optional.empty(), List.of());
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5), "net")), Map.entry("net", net)));
        sim.on(new AgentStarted());
        assertEquals(List.of("web"), sim.actions(StartProcess.class).stream().map(StartProcess::service).toList());
    }

    // ---- maintenance and operators ------------------------------------------------------------

    @Test
    void pause_service_checksStillCount_nothingRestarts_resumeRestarts() {
        Sim sim = runningWeb(processService("web", policy(5)));
        sim.on(new OperatorPaused(Optional.of("web"), "deploying v2", Optional.empty()));
        assertEquals(PAUSED, sim.stateOf("web"));
        sim.on(new CheckWentDown("web", "HTTP 503"));
        assertEquals(List.of("service web: check web went DOWN: HTTP 503; not restarted: the service is paused for"
                + " maintenance (deploying v2)"), sim.last.log());
        sim.after(Duration.ofHours(1));
        assertTrue(sim.allActions(RestartService.class).isEmpty());
        assertEquals(Map.of("web", "HTTP 503"), sim.status("web").checksDown(), "checks still count");

        sim.on(new OperatorResumed(Optional.of("web"), "deploy done"));
        assertEquals(BACKOFF, sim.stateOf("web"));
        assertTrue(sim.log().startsWith("service web: resumed because an operator resumed it: deploy done; restarting in"
                + " 1s (attempt 1 of 5) because check web is DOWN: HTTP 503"), sim.log());
    }

    @Test
    void pause_node_withExpiry_resumesByItself() {
        Sim sim = webOnRedis();
        sim.on(new OperatorPaused(Optional.empty(), "kernel upgrade", Optional.of(Duration.ofMinutes(30))));
        assertEquals(List.of(PAUSED, PAUSED), List.of(sim.stateOf("web"), sim.stateOf("redis")));
        sim.on(new ProcessExited("redis", 100, 137, false));
        assertTrue(sim.last.actions().isEmpty());
        assertEquals(30 * 60_000_000_000L, sim.untilWake());
        sim.wake();
        assertEquals(List.of("node: maintenance pause ended (its time was up)",
                "service redis: restarting in 1s (attempt 1 of 5) because process 100 exited with code 137 (signal 9,"
                        + " KILL) [event " + sim.status("redis").eventId() + "]"), sim.last.log());
        assertEquals(RUNNING, sim.stateOf("web"));
    }

    @Test
    void pause_fatalService_staysFatalAfterThePauseEnds() {
        Sim sim = crashLoop(Optional.empty());
        sim.on(new OperatorPaused(Optional.of("web"), "investigating", Optional.of(Duration.ofMinutes(5))));
        assertEquals(FATAL, sim.stateOf("web"));
        sim.after(Duration.ofMinutes(10));
        assertEquals(FATAL, sim.stateOf("web"));
    }

    @Test
    void operatorRestart_fatalService_restartsNowAndClearsFatal() {
        Sim sim = crashLoop(Optional.empty());
        sim.on(new RestartRequested("web", "new build deployed"));
        assertEquals(RESTARTING, sim.stateOf("web"));
        StartProcess s = sim.actions(StartProcess.class).getFirst();
        HealEvent e = sim.allEvents(Kind.RESTART).getLast();
        assertEquals(s.eventId(), Optional.of(e.id()));
        assertEquals("service web: restarting now because an operator asked: new build deployed; left FATAL [event "
                + e.id() + "]", e.sentence());
        assertEquals(List.of(), sim.status("web").restarts(), "the operator's act starts the count afresh");
    }

    @Test
    void operatorRequest_unknownService_isSaidNotThrown() {
        Sim sim = runningWeb(processService("web", policy(5)));
        sim.on(new RestartRequested("wbe", "typo"));
        assertEquals(List.of("node: ignored an operator request for 'wbe': no such service; services: web"),
                sim.last.log());
    }

    // ---- ids, wake-ups, reload ----------------------------------------------------------------

    @Test
    void eventIds_unique_andTheSameInSentenceAndEvent() {
        Sim sim = crashLoop(Optional.empty());
        List<HealEvent> events = sim.allActions(Action.Emit.class).stream().map(Action.Emit::event).toList();
        Set<String> ids = new HashSet<>();
        for (HealEvent e : events) {
            assertTrue(ids.add(e.id()), "duplicate id " + e.id());
            assertTrue(e.sentence().contains(e.id()), e.sentence());
        }
        assertEquals(5, ids.size(), "three restarts, a give-up, an escalation");
    }

    @Test
    void nextWake_isTheEarliestDeadline() {
        Sim sim = webOnRedis();
        sim.on(new OperatorPaused(Optional.empty(), "short", Optional.of(Duration.ofSeconds(30))));
        sim.on(new OperatorResumed(Optional.empty(), "done early"));
        sim.on(new CheckWentDown("redis", "x"));
        assertEquals(1_000_000_000L, sim.untilWake());
    }

    @Test
    void reload_keepsUnchanged_restartsChanged_stopsRemoved() {
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5))),
                Map.entry("old", processService("old", policy(5))),
                Map.entry("api", processService("api", policy(5)))));
        startAll(sim);
        sim.on(new CheckWentDown("web", "x"));
        ServiceStatus webBefore = sim.status("web");

        ServiceSpec api2 = processService("api", policy(7));
        Healer next = new Healer(services(Map.entry("web", processService("web", policy(5))), Map.entry("api", api2),
                Map.entry("new", processService("new", policy(5)))), Sim.ROOMY, new Healer.Options(0, Sim.GRACE));
        Decision d = sim.healer.reload(next, sim.state, sim.clock.nanoTime());
        assertEquals(webBefore, d.state().service("web"), "unchanged: state kept");
        assertEquals(List.of("web", "api", "new"), List.copyOf(d.state().services().keySet()));
        assertEquals(List.of(new StopProcess("old", Sim.process("/srv/old")), new StopProcess("api", Sim.process("/srv/api")),
                new StartProcess("api", Sim.process("/srv/api"), Optional.empty()),
                new StartProcess("new", Sim.process("/srv/new"), Optional.empty())), d.actions());
    }

    @Test
    void reload_rearmsAFatalService() {
        Sim sim = crashLoop(Optional.empty());
        Decision d = sim.healer.reload(sim.healer, sim.state, sim.clock.nanoTime());
        assertEquals(BACKOFF, d.state().service("web").state());
        assertTrue(d.log().getFirst().startsWith("service web: left FATAL because the config was reloaded"));
    }

    @Test
    void timePassed_beforeAnything_isHarmless() {
        Sim sim = new Sim(services(Map.entry("web", processService("web", policy(5)))));
        sim.on(new TimePassed());
        assertEquals(ServiceState.STOPPED, sim.stateOf("web"));
    }
}
