package io.haagent.agent.heal;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What the healer is doing about a service, with codes that never change meaning (STYLE §7): the
 * {@code haagent_service_state} gauge exports {@link #code()}, and {@link #LEGEND} is its
 * {@code Values:} legend. New states get new codes; no code is ever reused.
 */
public enum ServiceState {
    /**
     * Not started yet (before the agent's first decision, or waiting for its dependencies), stopped by a reload, or
     * stopped by an operator ({@link ServiceStatus#stoppedBy()}), which holds until an operator starts it.
     */
    STOPPED(0),
    /** Just (re)started: inside {@code start_grace}, failing checks are ignored; an exit is not. */
    STARTING(1),
    /** Healthy, or at least not known to fail. */
    RUNNING(2),
    /** Failed; waiting out the backoff before the next restart. */
    BACKOFF(3),
    /** A start or restart was ordered and has not finished. */
    RESTARTING(4),
    /** Gave up after more than {@code max_restarts} restarts within {@code within}; stays until an
     *  operator resumes or restarts it, a reload, or {@code rearm_after} without a new failure. */
    FATAL(5),
    /** Maintenance (the service's or the node's): checks run, nothing is restarted. */
    PAUSED(6),
    /** The host restart budget ({@code node.restart_budget}) is spent: the restart waits for the window to clear. */
    HELD(7),
    /** A service it depends on is down, or failover holds it (a VRRP instance tracking it is MASTER here):
     *  its restart waits for the dependency's recovery, or for failover to move the role away. */
    WAITING(8),
    /** A VM restart (escalation) was ordered and has not finished. */
    ESCALATING(9),
    /** Failing, and the service has no process, systemd unit or restart_command: only reported. */
    DOWN(10);

    /** {@code Values: 0 STOPPED, 1 STARTING, ...}: the legend a metrics exporter prints with the state gauge. */
    public static final String LEGEND = "Values: " + Arrays.stream(values())
            .map(s -> s.code + " " + s.name())
            .collect(Collectors.joining(", "));

    private final int code;

    ServiceState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ServiceState ofCode(int code) {
        for (ServiceState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("no service state has code " + code + "; " + LEGEND);
    }
}
