package io.haagent.agent.heal;

import static io.haagent.agent.heal.ServiceState.BACKOFF;
import static io.haagent.agent.heal.ServiceState.RESTARTING;
import static io.haagent.agent.heal.ServiceState.RUNNING;
import static io.haagent.agent.heal.ServiceState.STARTING;
import static io.haagent.agent.heal.ServiceState.WAITING;
import static io.haagent.agent.heal.Sim.policy;
import static io.haagent.agent.heal.Sim.processService;
import static io.haagent.agent.heal.Sim.services;
import static io.haagent.agent.heal.Sim.systemdService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.heal.Action.RestartService;
import io.haagent.agent.heal.Action.StartProcess;
import io.haagent.agent.heal.HealEvent.Kind;
import io.haagent.agent.heal.Observation.AgentStarted;
import io.haagent.agent.heal.Observation.CheckWentDown;
import io.haagent.agent.heal.Observation.CheckWentUp;
import io.haagent.agent.heal.Observation.FailoverHoldChanged;
import io.haagent.agent.heal.Observation.ProcessExited;
import io.haagent.agent.heal.Observation.RestartFinished;
import io.haagent.agent.heal.Observation.RestartRequested;
import io.haagent.config.ServiceSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Healing and failover agree: a Redis that belongs to a VRRP instance is not restarted by healing while
 * this node is MASTER — with persistence off it would come back empty and its replica would copy the
 * emptiness. Failover goes first; the restart follows as a replica.
 */
class FailoverHoldTest {
    private static final String MASTER = "vrrp redis-vip is MASTER";
    private static final FailoverHoldChanged HOLD = new FailoverHoldChanged("redis", Optional.of(MASTER));
    private static final FailoverHoldChanged RELEASE = new FailoverHoldChanged("redis", Optional.empty());
    private static final String KILLED = "process 123 exited with code 137 (signal 9, KILL)";

    private static Sim running(Map<String, ServiceSpec> services) {
        Sim sim = new Sim(services);
        sim.startAll();
        sim.state.services().forEach((n, s) -> assertEquals(RUNNING, s.state(), n));
        return sim;
    }

    private static Sim runningRedis() {
        return running(services(Map.entry("redis", processService("redis", policy(5)))));
    }

    /** redis depends on net (a systemd unit judged by check net). */
    private static Sim redisOnNet() {
        return running(services(Map.entry("net", systemdService("net", policy(5))),
                Map.entry("redis", processService("redis", policy(5), "net"))));
    }

    private static long restartsOf(Sim sim, String service) {
        return sim.allActions(StartProcess.class).stream().filter(s -> s.service().equals(service)
                && s.eventId().isPresent()).count()
                + sim.allActions(RestartService.class).stream().filter(r -> r.service().equals(service)).count();
    }

    @Test
    void held_processExits_waitsWithoutARestart_andSaysWhy() {
        Sim sim = runningRedis();
        sim.on(HOLD);
        sim.on(new ProcessExited("redis", 123, 137, false));
        assertEquals(WAITING, sim.stateOf("redis"));
        assertEquals(List.of("service redis: " + KILLED + "; not restarted while " + MASTER + ": failing over first"),
                sim.last.log());
        assertTrue(sim.last.actions().isEmpty(), sim.last.actions().toString());
        assertEquals(KILLED + "; not restarted while " + MASTER + ": failing over first", sim.status("redis").reason(),
                "/status says why it waits");
        assertEquals(KILLED, sim.status("redis").failure());
        assertEquals(Decision.NEVER, sim.last.nextWakeAtNanos(), "only the release can change anything");

        sim.after(Duration.ofHours(1));
        assertEquals(WAITING, sim.stateOf("redis"));
        assertEquals(0, restartsOf(sim, "redis"));
    }

    @Test
    void held_checkDown_waitsWithoutARestart() {
        Sim sim = runningRedis();
        sim.on(HOLD);
        sim.on(new CheckWentDown("redis", "PING timed out after 1s"));
        assertEquals(WAITING, sim.stateOf("redis"));
        assertEquals(List.of("service redis: check redis went DOWN: PING timed out after 1s; not restarted while "
                + MASTER + ": failing over first"), sim.last.log());
        sim.after(Duration.ofHours(1));
        assertEquals(0, restartsOf(sim, "redis"));
    }

    @Test
    void released_exitedService_restartsByTheNormalCascade() {
        Sim sim = runningRedis();
        sim.on(HOLD);
        sim.on(new ProcessExited("redis", 123, 137, false));
        sim.on(RELEASE);
        assertEquals(BACKOFF, sim.stateOf("redis"), "the backoff still bounds a restart loop if the hold flaps");
        String id = sim.status("redis").eventId();
        assertEquals(List.of("service redis: failover hold released (was: " + MASTER + "); restarting in 1s (attempt 1"
                + " of 5) because " + KILLED + " [event " + id + "]"), sim.last.log());
        assertEquals(KILLED, sim.status("redis").reason());

        sim.wake();
        StartProcess start = sim.actions(StartProcess.class).getFirst();
        assertEquals(Optional.of(id), start.eventId());
        assertEquals(id, sim.allEvents(Kind.RESTART).getLast().id());
        assertEquals(RESTARTING, sim.stateOf("redis"));
    }

    @Test
    void released_noBackoff_restartsAtOnce() {
        var now = policy(Duration.ZERO, Duration.ZERO, 5, Duration.ofMinutes(10), Optional.empty());
        Sim sim = running(services(Map.entry("redis", processService("redis", now))));
        sim.on(HOLD);
        sim.on(new ProcessExited("redis", 123, 137, false));
        assertEquals(WAITING, sim.stateOf("redis"));
        sim.on(RELEASE);
        StartProcess start = sim.actions(StartProcess.class).getFirst();
        String id = start.eventId().orElseThrow();
        assertEquals(List.of("service redis: failover hold released (was: " + MASTER + "); restarting now (attempt 1"
                + " of 5) because " + KILLED + " [event " + id + "]"), sim.last.log());
    }

    @Test
    void heldAndDependencyDown_releasingTheHoldOnly_keepsWaiting_thenTheDependencyRestartsIt() {
        Sim sim = redisOnNet();
        sim.on(HOLD);
        sim.on(new CheckWentDown("net", "no route to 10.0.0.1"));
        sim.on(new ProcessExited("redis", 123, 137, false));
        assertEquals(WAITING, sim.stateOf("redis"));
        String both = "because dependency net is down and its recovery comes first, and while " + MASTER
                + ": failing over first";
        assertEquals(List.of("service redis: " + KILLED + "; not restarted " + both), sim.last.log());
        assertEquals(KILLED + "; not restarted " + both, sim.status("redis").reason());

        sim.on(RELEASE);
        assertEquals(WAITING, sim.stateOf("redis"));
        assertEquals(List.of("service redis: failover hold released (was: " + MASTER + "); still not restarted because"
                + " dependency net is down and its recovery comes first"), sim.last.log());
        assertEquals(KILLED + "; not restarted because dependency net is down and its recovery comes first",
                sim.status("redis").reason());

        sim.wake(); // net's backoff: only net restarts
        assertEquals(List.of("net"), sim.actions(RestartService.class).stream().map(RestartService::service).toList());
        sim.on(new RestartFinished("net", true, "ok"));
        sim.on(new CheckWentUp("net"));
        assertEquals(BACKOFF, sim.stateOf("redis"), sim.log());
        assertTrue(sim.log().contains("service redis: its dependencies are up again; restarting in 1s"), sim.log());
        sim.wake();
        assertEquals("redis", sim.actions(StartProcess.class).getFirst().service());
    }

    @Test
    void heldAndDependencyDown_dependencyRecoversFirst_keepsWaitingForTheHold() {
        Sim sim = redisOnNet();
        sim.on(HOLD);
        sim.on(new CheckWentDown("net", "no route to 10.0.0.1"));
        String netRestart = sim.status("net").eventId();
        sim.on(new ProcessExited("redis", 123, 137, false));
        sim.on(new CheckWentUp("net"));
        assertEquals(WAITING, sim.stateOf("redis"));
        assertEquals(List.of("service net: check net went UP; restart cancelled [event " + netRestart + "]",
                "service redis: still not restarted while " + MASTER + ": failing over first"), sim.last.log());
        assertEquals(KILLED + "; not restarted while " + MASTER + ": failing over first", sim.status("redis").reason());
        sim.after(Duration.ofHours(1));
        assertEquals(WAITING, sim.stateOf("redis"));
        assertEquals(0, restartsOf(sim, "redis"));

        sim.on(RELEASE);
        assertEquals(BACKOFF, sim.stateOf("redis"));
        sim.wake();
        assertEquals("redis", sim.actions(StartProcess.class).getFirst().service());
    }

    @Test
    void operatorRestart_whileHeld_restartsWithAWarning() {
        Sim sim = runningRedis();
        sim.on(HOLD);
        sim.on(new ProcessExited("redis", 123, 137, false));
        sim.on(new RestartRequested("redis", "restoring from the RDB backup"));
        assertEquals(RESTARTING, sim.stateOf("redis"));
        StartProcess start = sim.actions(StartProcess.class).getFirst();
        HealEvent e = sim.allEvents(Kind.RESTART).getLast();
        assertEquals(start.eventId(), Optional.of(e.id()));
        assertEquals("service redis: restarting although " + MASTER + ", as an operator asked: restoring from the RDB"
                + " backup [event " + e.id() + "]", e.sentence());
        assertEquals(List.of(e.sentence()), sim.last.log());
        assertEquals(Optional.of(MASTER), sim.status("redis").failoverHold(), "the operator's act does not end the hold");
    }

    @Test
    void heldHealthyService_holdThenRelease_nothingHappens() {
        Sim sim = runningRedis();
        sim.on(HOLD);
        assertEquals(RUNNING, sim.stateOf("redis"));
        assertTrue(sim.last.log().isEmpty() && sim.last.actions().isEmpty(), sim.last.toString());
        assertEquals(Decision.NEVER, sim.last.nextWakeAtNanos());
        sim.on(RELEASE);
        assertEquals(RUNNING, sim.stateOf("redis"));
        assertTrue(sim.last.log().isEmpty() && sim.last.actions().isEmpty(), sim.last.toString());
        assertEquals(Optional.empty(), sim.status("redis").failoverHold());
    }

    @Test
    void backoffPending_whenHoldArrives_dueTimePasses_stillWaiting() {
        Sim sim = runningRedis();
        sim.on(new CheckWentDown("redis", "PING timed out after 1s"));
        assertEquals(BACKOFF, sim.stateOf("redis"));
        sim.on(HOLD);
        assertEquals(BACKOFF, sim.stateOf("redis"), "the pending restart waits when it comes due");
        sim.wake();
        assertEquals(WAITING, sim.stateOf("redis"));
        assertEquals(List.of("service redis: restart postponed while " + MASTER + ": failing over first"), sim.last.log());
        sim.after(Duration.ofHours(1));
        assertEquals(WAITING, sim.stateOf("redis"));
        assertEquals(0, restartsOf(sim, "redis"));

        sim.on(RELEASE); // its checks, not an exit: they get a grace, since failing over changed its role
        assertEquals(STARTING, sim.stateOf("redis"));
        assertEquals(List.of("service redis: failover hold released (was: " + MASTER + "); its own checks count after a"
                + " 10s grace"), sim.last.log());
        sim.wake(); // still DOWN at the end of the grace: the normal cascade
        assertEquals(BACKOFF, sim.stateOf("redis"));
    }

    @Test
    void reload_changedService_keepsItsFailoverHold() {
        Sim sim = runningRedis();
        sim.on(HOLD);
        Healer next = new Healer(services(Map.entry("redis", processService("redis", policy(7)))), Sim.ROOMY,
                new Healer.Options(0, Sim.GRACE));
        Decision d = sim.healer.reload(next, sim.state, sim.clock.nanoTime());
        assertEquals(Optional.of(MASTER), d.state().service("redis").failoverHold());
    }

    @Test
    void hold_withoutAReason_isRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new FailoverHoldChanged("redis", Optional.of(" ")));
        assertTrue(e.getMessage().contains("Optional.empty() to release"), e.getMessage());
    }
}
