/**
 * The daemon: wiring config, checks, healing, failover and the admin server together, and reloading
 * safely ({@link io.haagent.agent.daemon.ReloadPlan}, pure). Failover's shell is split by what each part
 * owns: {@code Failover} starts, reconfigures and stops the VRRP instances; {@code InstanceListener} turns
 * one instance's reports into logs, metrics and mail; {@code PromotionGuard} holds a refused promotion;
 * {@code HandoverWatch} carries out the pure {@code Handover}; {@code RestartedRedis} makes a restarted
 * Redis a replica; {@code FailoverStatusJson} and {@code ForcePromotionReplies} are the admin answers.
 */
package io.haagent.agent.daemon;
