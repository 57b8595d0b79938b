package io.haagent.checker.probe;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One check, ready to run. {@link #run()} starts a run and returns at once; the future completes
 * within about the check's timeout, always normally: a failure is a result with {@code up == false},
 * not an exception. A probe may be run again after its previous run completed; the scheduler never
 * overlaps runs of one probe.
 */
@FunctionalInterface
public interface Probe {
    CompletableFuture<CheckResult> run();

    /**
     * Where this probe wants to be run from, if it cares: the event loop an {@code http} or
     * {@code tcp} probe does its I/O on and completes on. The scheduler then keeps the check's
     * timers on it, so that a run costs no hand-off between threads. Empty: anywhere.
     */
    default Optional<ScheduledExecutorService> executor() {
        return Optional.empty();
    }

    /**
     * Starts watching the checked server between runs, for the probes that can see it go away at once
     * (a {@code redis} check); {@code listener} hears of it. The default watches nothing. Called once
     * per probe; the caller closes the watch when it stops the check.
     */
    default Watch watch(Watch.Listener listener) {
        return Watch.NONE;
    }
}
