package io.haagent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code sd_notify(3)} without libsystemd: state lines ({@code READY=1}, {@code STATUS=...}, {@code WATCHDOG=1})
 * sent as one datagram each to the Unix socket systemd names in {@code NOTIFY_SOCKET}. Without that variable
 * (not started by systemd, or not {@code Type=notify}) it sends nothing. One socket for the process's life, as
 * sd-daemon opens one per call only because it keeps no state; safe from any thread.
 */
public final class SdNotify implements AutoCloseable {
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    public static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    public static final String WATCHDOG_PID = "WATCHDOG_PID";
    /**
     * What systemd gives the daemon and no child must inherit: a child that wrote to our socket would speak for
     * us ({@code NotifyAccess=main} drops it, but a child of a unit without it could say READY or starve the watchdog).
     */
    public static final List<String> VARIABLES = List.of(NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID);

    private final Optional<String> address;
    private final OptionalLong watchdogMicros;
    private final Arena arena;
    private final MemorySegment sockaddr;
    private final MemorySegment callState;
    private final int fd;

    private SdNotify(Optional<String> address, OptionalLong watchdogMicros) {
        this.address = address;
        this.watchdogMicros = watchdogMicros;
        if (address.isEmpty()) {
            this.arena = null;
            this.sockaddr = null;
            this.callState = null;
            this.fd = -1;
            return;
        }
        this.arena = Arena.ofShared();
        this.sockaddr = Libc.sockaddrUn(arena, address.get());
        this.callState = Libc.newCallState(arena);
        this.fd = Libc.socket(callState, Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Libc.errno(callState);
            arena.close();
            throw new IllegalStateException("cannot open a Unix datagram socket for " + NOTIFY_SOCKET + ": "
                    + Libc.errnoName(errno));
        }
    }

    /** From this process's environment. */
    public static SdNotify fromEnvironment() {
        return of(System.getenv(), ProcessHandle.current().pid());
    }

    /**
     * From {@code env} for the process {@code pid}: the watchdog is ours when {@code WATCHDOG_USEC} is a positive
     * number and {@code WATCHDOG_PID} is absent or {@code pid} (sd_watchdog_enabled's rule: a variable meant for
     * the parent must not make a forked child ping).
     *
     * @throws IllegalArgumentException {@code NOTIFY_SOCKET} is set but no Unix socket address
     */
    public static SdNotify of(Map<String, String> env, long pid) {
        Optional<String> address = Optional.ofNullable(env.get(NOTIFY_SOCKET)).filter(s -> !s.isEmpty());
        OptionalLong watchdog = OptionalLong.empty();
        String usec = env.get(WATCHDOG_USEC);
        String forPid = env.get(WATCHDOG_PID);
        if (address.isPresent() && usec != null && (forPid == null || forPid.equals(Long.toString(pid)))) {
            try {
                long micros = Long.parseLong(usec.strip());
                if (micros > 0) {
                    watchdog = OptionalLong.of(micros);
                }
            } catch (NumberFormatException e) {
                // sd_watchdog_enabled treats an unparsable value as no watchdog; so do we
            }
        }
        return new SdNotify(address, watchdog);
    }

    /** Whether systemd listens: {@code NOTIFY_SOCKET} was set. */
    public boolean enabled() {
        return address.isPresent();
    }

    /** The socket's address as systemd wrote it, for log lines. */
    public Optional<String> address() {
        return address;
    }

    /** {@code WATCHDOG_USEC} when the watchdog is on and meant for this process; empty otherwise. */
    public OptionalLong watchdogMicros() {
        return watchdogMicros;
    }

    /**
     * Sends {@code state} (newline-separated assignments) as one datagram; nothing when not {@link #enabled}.
     *
     * @return the failure in words ({@code sendto: ECONNREFUSED}), empty when sent or nothing to do
     */
    public synchronized Optional<String> send(String state) {
        if (address.isEmpty() || !arena.scope().isAlive()) {
            return Optional.empty();
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buf = call.allocateFrom(state, StandardCharsets.UTF_8);
            // allocateFrom adds a NUL; systemd reads the datagram's length, so the NUL is not sent. MSG_DONTWAIT: a
            // datagram to a Unix socket whose queue is full (net.unix.max_dgram_qlen, 10 by default) blocks until the
            // reader catches up; a busy PID 1 must cost us one message (EAGAIN), never the thread that pings.
            long sent = Libc.sendto(callState, fd, buf.asSlice(0, buf.byteSize() - 1), Libc.MSG_DONTWAIT, sockaddr);
            return sent < 0 ? Optional.of("sendto " + address.get() + ": " + Libc.errnoName(Libc.errno(callState)))
                    : Optional.empty();
        }
    }

    /** Removes {@link #VARIABLES} from a child's environment. */
    public static void scrub(Map<String, String> childEnvironment) {
        VARIABLES.forEach(childEnvironment::remove);
    }

    @Override
    public synchronized void close() {
        if (arena != null && arena.scope().isAlive()) {
            Libc.close(callState, fd);
            arena.close();
        }
    }
}
