/**
 * The edges that carry out healing actions: the process {@link io.haagent.agent.supervise.Supervisor}
 * (children the agent starts and owns, as supervisord does; its pid files, signals, orphans, logs and
 * environment each in their own class), the {@link io.haagent.agent.supervise.Restarter}s behind one
 * contract (process, systemd, restart_command; libvirt, xen, ec2, command for VM escalation), the
 * {@link io.haagent.agent.supervise.CommandRunner} every external program goes through, and the
 * {@link io.haagent.agent.supervise.Actuator} that performs a {@link io.haagent.agent.heal.Decision}'s
 * actions off the decision loop and reports their results back as observations.
 */
package io.haagent.agent.supervise;
