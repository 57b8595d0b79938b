package io.haagent.agent.systemd;

import io.haagent.linux.SdNotify;
import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What systemd hears from the daemon (sd_notify(3)), on one thread of its own ({@code haagent-systemd}) that looks
 * every second, or every half watchdog period when that is shorter:
 * <ul>
 *   <li>{@code READY=1} once {@link Watched#started}: the admin port bound, the first check round run, every VRRP
 *       instance started. Until then {@code systemctl start} waits (Type=notify).</li>
 *   <li>{@code STATUS=} the {@link StatusLine}, sent only when it changed since the last one sent: at most once a
 *       look, however many checks flip.</li>
 *   <li>{@code WATCHDOG=1} every half {@code WATCHDOG_USEC}, as sd_watchdog_enabled(3) advises, but only while
 *       {@link Liveness} finds every {@link Watched#loops loop} alive. When one is stuck the pings stop, one
 *       sentence names it, and systemd restarts the daemon when WatchdogSec runs out.</li>
 * </ul>
 * {@link #reloading}/{@link #reloaded} and {@link #stopping} are told by the daemon. Nothing is sent without
 * {@code NOTIFY_SOCKET}: then no thread is started at all.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.systemd");
    private static final Duration LOOK = Duration.ofSeconds(1);

    /** What the notifier reads of the daemon; every method quick and safe from any thread. */
    public interface Watched {
        /** READY may be said: admin port bound, first check round run, every VRRP instance started (or failed to). */
        boolean started();

        /** The current {@link StatusLine}. */
        String statusLine();

        /** The loops that matter now, each with its last beat. */
        List<Liveness.Loop> loops();
    }

    private final SdNotify sd;
    private final Ticker ticker;
    private final Watched daemon;
    private final Optional<ScheduledExecutorService> thread;
    private final long pingEveryNanos;
    // guarded by this
    private boolean ready;
    private boolean stopping;
    private String lastStatus = "";
    private long nextPingNanos;
    private Optional<String> stuckSaid = Optional.empty();
    private Optional<String> failureSaid = Optional.empty();

    private Notifier(SdNotify sd, Ticker ticker, Watched daemon) {
        this.sd = sd;
        this.ticker = ticker;
        this.daemon = daemon;
        this.pingEveryNanos = sd.watchdogMicros().isPresent() ? sd.watchdogMicros().getAsLong() * 1_000 / 2 : Long.MAX_VALUE;
        this.nextPingNanos = ticker.nanoTime();
        if (!sd.enabled()) {
            this.thread = Optional.empty();
            return;
        }
        long look = Math.min(LOOK.toNanos(), pingEveryNanos);
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("haagent-systemd").unstarted(r));
        this.thread = Optional.of(t);
        log.info("systemd: notifying {}{}", sd.address().orElseThrow(), sd.watchdogMicros().isPresent()
                ? "; watchdog pings every " + pingEveryNanos / 1_000_000 + " ms while the loops run" : "");
        t.scheduleWithFixedDelay(this::look, 0, look, TimeUnit.NANOSECONDS);
    }

    /** Starts notifying systemd through {@code sd}, or does nothing when {@code sd} is not {@link SdNotify#enabled}. */
    public static Notifier start(SdNotify sd, Ticker ticker, Watched daemon) {
        return new Notifier(sd, ticker, daemon);
    }

    private synchronized void look() {
        if (stopping) {
            return;
        }
        try {
            long now = ticker.nanoTime();
            if (!ready && daemon.started()) {
                ready = true;
                lastStatus = daemon.statusLine();
                send("READY=1\nSTATUS=" + lastStatus);
                log.info("systemd: ready: {}", lastStatus);
            } else if (ready) {
                String status = daemon.statusLine();
                if (!status.equals(lastStatus)) {
                    lastStatus = status;
                    send("STATUS=" + status);
                }
            }
            if (sd.watchdogMicros().isPresent() && now - nextPingNanos >= 0) {
                nextPingNanos = now + pingEveryNanos;
                watchdog(now);
            }
        } catch (RuntimeException e) { // this thread is the watchdog's pulse: it must outlive a bug in one look
            log.error("systemd: notifying failed; trying again in a second", e);
        }
    }

    private void watchdog(long now) {
        Optional<Liveness.Stuck> stuck = Liveness.stuck(daemon.loops(), now);
        if (stuck.isEmpty()) {
            send("WATCHDOG=1");
            stuckSaid.ifPresent(s -> log.info("watchdog: pinging systemd again: every loop runs"));
            stuckSaid = Optional.empty();
            return;
        }
        String name = stuck.get().loop().name();
        if (!stuckSaid.equals(Optional.of(name))) {
            // One sentence per stuck loop, not one per look: systemd restarts the daemon once WatchdogSec runs out.
            log.error("watchdog: not pinging systemd: {}", stuck.get().sentence());
            stuckSaid = Optional.of(name);
        }
    }

    /** Before a reload: {@code RELOADING=1} with the monotonic time systemd 253+ wants to match it to the request. */
    public synchronized void reloading() {
        if (ready && !stopping) {
            // System.nanoTime is CLOCK_MONOTONIC on Linux, the clock MONOTONIC_USEC is read from (sd_notify(3)).
            send("RELOADING=1\nMONOTONIC_USEC=" + ticker.nanoTime() / 1_000);
        }
    }

    /** After a reload, applied or refused: the daemon runs on, so {@code READY=1} again. */
    public synchronized void reloaded() {
        if (ready && !stopping) {
            lastStatus = daemon.statusLine();
            send("READY=1\nSTATUS=" + lastStatus);
        }
    }

    /** At the start of a shutdown: {@code STOPPING=1}, and no more pings or status. */
    public synchronized void stopping() {
        if (stopping) {
            return;
        }
        stopping = true;
        thread.ifPresent(ScheduledExecutorService::shutdownNow);
        if (sd.enabled()) {
            send("STOPPING=1\nSTATUS=stopping");
        }
    }

    private void send(String message) {
        Optional<String> failed = sd.send(message);
        if (failed.isPresent() && !failed.equals(failureSaid)) {
            log.warn("systemd: cannot notify: {}; systemd may time the start out or restart haagent", failed.get());
        } else if (failed.isEmpty() && failureSaid.isPresent()) {
            log.info("systemd: notifying works again");
        }
        failureSaid = failed;
    }

    @Override
    public void close() {
        stopping();
        sd.close();
    }
}
