package io.haagent.agent.supervise;

import io.haagent.agent.heal.Action;
import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.Observation;
import io.haagent.config.ServiceSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs a decision's actions without blocking the decision loop (STYLE §6) and reports each
 * result back as an {@link Observation}. Actions of one service run in order, one at a time, on
 * that service's own virtual thread; different services never wait for each other.
 *
 * <p>Wiring: the supervisor's listener is {@link #reportingTo(Consumer)}, so a child's start
 * becomes {@link Observation.RestartFinished} (ok) and its exit {@link Observation.ProcessExited},
 * in that order; systemd, command and VM restarts report when their command is done.
 * {@link Action.Emit} events go to {@code events} at once, on the caller's thread.
 */
public final class Actuator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Actuator.class);

    private final Supervisor supervisor;
    private final Restarters restarters;
    private final Consumer<Observation> report;
    private final Consumer<HealEvent> events;
    private final Map<String, ExecutorService> lanes = new ConcurrentHashMap<>();

    public Actuator(Supervisor supervisor, Restarters restarters, Consumer<Observation> report,
                    Consumer<HealEvent> events) {
        this.supervisor = supervisor;
        this.restarters = restarters;
        this.report = report;
        this.events = events;
    }

    /** The supervisor listener that turns child starts and exits into observations for the healer. */
    public static Supervisor.Listener reportingTo(Consumer<Observation> report) {
        return new Supervisor.Listener() {
            @Override
            public void started(String service, long pid) {
                report.accept(new Observation.RestartFinished(service, true, "pid " + pid));
            }

            @Override
            public void exited(String service, long pid, int exitCode, boolean stopRequested) {
                report.accept(new Observation.ProcessExited(service, pid, exitCode, stopRequested));
            }
        };
    }

    public void perform(List<Action> actions) {
        actions.forEach(this::perform);
    }

    public void perform(Action action) {
        switch (action) {
            case Action.Emit e -> {
                try {
                    events.accept(e.event());
                } catch (Throwable ex) { // on the decision loop's thread: nothing may end it
                    log.error("delivering event {} failed; healing carries on", e.event().id(), ex);
                }
            }
            case Action.StartProcess s -> lane(s.service(), "start", why -> report.accept(
                    new Observation.RestartFinished(s.service(), false, why)), () -> {
                try {
                    supervisor.start(s.service(), s.process()); // the listener reports the start
                } catch (IOException ex) {
                    report.accept(new Observation.RestartFinished(s.service(), false, ex.getMessage()));
                }
            });
            // Nothing waits for a stop: the healer has already moved on (the service was removed or changed).
            case Action.StopProcess s -> lane(s.service(), "stop", null, () -> supervisor.stop(s.service()));
            case Action.RestartService r -> lane(r.service(), "restart", why -> report.accept(
                    new Observation.RestartFinished(r.service(), false, why)), () -> {
                Restarter restarter = restarters.forService(
                        new Restarters.Occasion(r.service(), r.reason(), r.eventId()), r.means());
                try {
                    String detail = restarter.restart();
                    if (!(r.means() instanceof ServiceSpec.Process)) { // a child's start is reported by the listener
                        report.accept(new Observation.RestartFinished(r.service(), true, detail));
                    }
                } catch (RestartFailedException ex) {
                    report.accept(new Observation.RestartFinished(r.service(), false, ex.getMessage()));
                }
            });
            case Action.EscalateVm v -> lane(v.service(), "VM restart", why -> report.accept(
                    new Observation.VmRestartFinished(v.service(), false, why)), () -> {
                Restarter restarter = restarters.forVm(new Restarters.Occasion(v.service(), v.reason(), v.eventId()), v.vm());
                try {
                    report.accept(new Observation.VmRestartFinished(v.service(), true, restarter.restart()));
                } catch (RestartFailedException ex) {
                    report.accept(new Observation.VmRestartFinished(v.service(), false, ex.getMessage()));
                }
            });
        }
    }

    /**
     * Runs {@code work} on the service's lane. Whatever else it throws — a RuntimeException, an Error such as
     * OutOfMemoryError("unable to create native thread") when the agent is out of threads or descriptors — is
     * reported through {@code failed} as a failed action, so the healer goes to BACKOFF and retries as
     * supervisord and monit do; a restart that is never reported would leave the service RESTARTING for good.
     * A stop ({@code failed} null) has nobody waiting for it: it is only logged.
     */
    private void lane(String service, String what, Consumer<String> failed, Runnable work) {
        Runnable guarded = () -> {
            try {
                work.run();
            } catch (Throwable t) { // see above: anything unreported wedges the service
                fail(service, what, failed, t);
            }
        };
        try {
            lanes.computeIfAbsent(service, s -> Executors.newSingleThreadExecutor(
                    Thread.ofVirtual().name("heal-" + s).factory())).execute(guarded);
        } catch (Throwable t) { // the lane itself could not be made or took no work (closed, out of threads)
            fail(service, what, failed, t);
        }
    }

    private void fail(String service, String what, Consumer<String> failed, Throwable t) {
        if (failed == null) {
            log.error("service {}: the {} failed with {}; its child may still run: a restart of the service stops it"
                    + " first, and the agent stops it when it exits", service, what, t.toString(), t);
            return;
        }
        log.error("service {}: the {} failed with {}; reported as failed, so healing retries it after its backoff",
                service, what, t.toString(), t);
        try {
            failed.accept(t.toString());
        } catch (Throwable again) {
            log.error("service {}: could not report the failed {} either", service, what, again);
        }
    }

    /**
     * Kills the restart commands still running, group and all — nothing the agent started may outlive it,
     * nor hold its stop up — then finishes the other actions already handed over, waiting up to
     * {@code wait} per service; what is still running then is interrupted. Close the supervisor after
     * this, not before: it stops the children.
     */
    public void close(Duration wait) {
        restarters.stopAll();
        lanes.values().forEach(ExecutorService::shutdown);
        for (ExecutorService e : lanes.values()) {
            try {
                if (!e.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    e.shutdownNow();
                }
            } catch (InterruptedException ex) {
                e.shutdownNow();
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
