package io.haagent.agent.supervise;

import io.haagent.agent.heal.Decision;
import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.HealState;
import io.haagent.agent.heal.Healer;
import io.haagent.agent.heal.Observation;
import io.haagent.config.NodeConfig;
import io.haagent.config.ServiceSpec;
import io.haagent.time.Ticker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The observe-decide-act loop as the daemon runs it, in miniature, for tests and the benchmark: one
 * thread owns the state; observations arrive on a queue; it sleeps until the next observation or
 * the decision's wake-up; the actuator performs the actions off the loop.
 */
final class HealLoop implements AutoCloseable {
    final BlockingQueue<Observation> inbox = new LinkedBlockingQueue<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<HealEvent> events = Collections.synchronizedList(new ArrayList<>());
    final Supervisor supervisor;
    private final Healer healer;
    private final Actuator actuator;
    private final Ticker ticker = Ticker.SYSTEM;
    private final Thread thread;
    private volatile HealState state;
    private volatile boolean running = true;

    /** @param tap wraps the supervisor's listener, e.g. to time starts and exits */
    HealLoop(Map<String, ServiceSpec> services, Path stateDir, NodeConfig.RestartBudget budget, Healer.Options options,
             UnaryOperator<Supervisor.Listener> tap) {
        healer = new Healer(services, budget, options);
        supervisor = new Supervisor(stateDir, tap.apply(Actuator.reportingTo(inbox::add)), Supervisor.Options.DEFAULT);
        actuator = new Actuator(supervisor, new Restarters(CommandRunner.system(), supervisor,
                Restarters.Timeouts.DEFAULT), inbox::add, events::add);
        state = healer.initial(new java.security.SecureRandom().nextLong(), ticker.nanoTime());
        inbox.add(new Observation.AgentStarted());
        thread = Thread.ofPlatform().name("heal-loop").start(this::run);
    }

    HealState state() {
        return state;
    }

    /** The sentences logged so far (a copy: the loop keeps appending). */
    List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    List<HealEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private void run() {
        long wake = Decision.NEVER;
        while (running) {
            Observation o;
            try {
                long wait = wake == Decision.NEVER ? TimeUnit.SECONDS.toNanos(1) : wake - ticker.nanoTime();
                o = inbox.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return;
            }
            Decision d = healer.decide(o != null ? o : new Observation.TimePassed(), state, ticker.nanoTime());
            state = d.state();
            log.addAll(d.log());
            actuator.perform(d.actions());
            wake = d.nextWakeAtNanos();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        actuator.close();
        supervisor.close(); // every child goes, even when the test failed
    }
}
