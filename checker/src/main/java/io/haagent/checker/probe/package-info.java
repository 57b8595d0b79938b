/**
 * The check types: one run of an {@code http}, {@code redis}, {@code tcp}, {@code command},
 * {@code disk} or {@code file_age} check, and what it observed ({@link io.haagent.checker.probe.CheckResult}).
 *
 * <p>{@link io.haagent.checker.probe.Probes} makes a {@link io.haagent.checker.probe.Probe} for a
 * {@link io.haagent.config.CheckSpec} and owns what all probes share: one Netty event loop group
 * for every HTTP and TCP check (no thread per check) and virtual threads for the blocking ones
 * (Jedis, processes, file systems). Every probe enforces its own timeout and reports failures as
 * results, never as exceptions. The types themselves are package-private.
 */
package io.haagent.checker.probe;
