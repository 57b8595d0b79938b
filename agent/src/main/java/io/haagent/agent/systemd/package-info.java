/**
 * haagent under systemd ({@code Type=notify}, {@code WatchdogSec=}): {@link io.haagent.agent.systemd.Notifier}
 * tells systemd READY once the daemon has really started, RELOADING/READY around a reload, STOPPING, and a
 * one-line STATUS; it pings the watchdog only while {@link io.haagent.agent.systemd.Liveness} (a pure decision)
 * finds every loop that matters alive, so that a stuck loop, not only a dead JVM, gets the daemon restarted.
 * The datagrams go through core's {@link io.haagent.linux.SdNotify}.
 */
package io.haagent.agent.systemd;
