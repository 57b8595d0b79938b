package io.haagent.agent.supervise;

/**
 * Restarts one thing: a service (its child process, its systemd unit, its restart command) or the
 * VM it lives on. Implementations come from {@link Restarters}.
 *
 * <p><b>Contract.</b> {@link #restart()} blocks until the restart is over (call it off the decision
 * loop) and is <em>idempotent in effect</em>: whatever state the target is in — running, stopped,
 * half-way through an earlier restart that failed, timed out or was cut short by an agent crash —
 * a successful call leaves exactly one instance running, never two and never none. That is what
 * lets the healer simply retry after a failure. Concretely:
 * <ul>
 *   <li>process: stops the service's child if there is one (no-op if not), then starts one;</li>
 *   <li>systemd: {@code systemctl restart} starts a stopped unit and restarts a running one, and
 *       systemd serialises jobs on a unit;</li>
 *   <li>restart_command and VM command: the operator's command must itself be idempotent; a run
 *       that times out is killed with everything it started before the failure is reported, so a
 *       retry never overlaps it;</li>
 *   <li>libvirt / xen: the destroy step may fail because the domain is not running — tolerated —
 *       then start/create must succeed.</li>
 *   <li>ec2: looks at the instance's state first and goes on from there — a stopping or stopped
 *       instance is only started, a pending one left to start, a running one rebooted or stopped
 *       and started — so a retry completes a half-done stop+start instead of repeating it.</li>
 * </ul>
 * Failures are thrown as {@link RestartFailedException}; nothing else escapes.
 */
public interface Restarter {

    /** @return one line for the log and the event, e.g. {@code "systemctl restart app.service: exit 0"} */
    String restart() throws RestartFailedException;

    /** What it runs, for status and error messages: {@code "systemctl restart app.service"}. */
    String describe();
}
