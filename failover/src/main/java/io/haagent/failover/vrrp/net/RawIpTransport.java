package io.haagent.failover.vrrp.net;

import static io.haagent.linux.Libc.errno;
import static io.haagent.linux.Libc.errnoName;

import io.haagent.config.Ipv4;
import io.haagent.linux.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ip} transport: a raw IPv4 socket for protocol 112, what keepalived speaks, so a haagent and a
 * keepalived can form one pair. Every advert leaves with TTL 255 (RFC 5798 §5.1.1.3) from the bound source
 * address; the kernel delivers only packets addressed to that source. Needs {@code CAP_NET_RAW}.
 *
 * <p>One platform daemon thread, {@code vrrp-ip-<source>}, receives; {@link #send} may be called from any
 * thread. Linux only: the socket is opened through the foreign function API, so the JVM needs
 * {@code --enable-native-access=ALL-UNNAMED}.
 */
final class RawIpTransport implements AdvertTransport {
    private static final Logger log = LoggerFactory.getLogger(RawIpTransport.class);

    /** How long a receive waits before looking whether the transport was closed. */
    static final Duration RECEIVE_TIMEOUT = Duration.ofMillis(200);
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int ADVERT_TTL = 255;
    // So that an error that repeats at once (a closed fd) cannot spin a core; short enough not to delay adverts.
    private static final long ERROR_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Ipv4 source;
    private final int fd;
    private final Receiver receiver;
    private final Thread thread;
    // Guards fd against being closed (and reused by another socket) while a send still uses it.
    private final Object fdLock = new Object();
    private volatile boolean closed;

    private RawIpTransport(Ipv4 source, int fd, Receiver receiver) {
        this.source = source;
        this.fd = fd;
        this.receiver = receiver;
        this.thread = Thread.ofPlatform().name("vrrp-ip-" + source).daemon().unstarted(this::receiveLoop);
    }

    /**
     * Opens the socket bound to {@code source} (and to {@code iface}, when given) and starts receiving.
     *
     * @throws IOException with a message for the operator: missing {@code CAP_NET_RAW}, a source address
     *                     this host does not have, an interface that does not exist
     */
    public static RawIpTransport open(Ipv4 source, Optional<String> iface, Receiver receiver) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(receiver, "receiver");
        RawIpTransport transport = new RawIpTransport(source, openSocket(source, iface), receiver);
        transport.thread.start();
        return transport;
    }

    private static int openSocket(Ipv4 source, Optional<String> iface) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            int fd = Libc.socket(state, Libc.AF_INET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.IPPROTO_VRRP);
            if (fd < 0) {
                throw new IOException(socketFailure(errno(state)));
            }
            try {
                configure(arena, state, fd, source, iface);
                return fd;
            } catch (IOException | RuntimeException e) {
                Libc.close(state, fd);
                throw e;
            }
        }
    }

    private static String socketFailure(int errno) {
        if (errno == Libc.EPERM || errno == Libc.EACCES) {
            return "opening a raw IP socket for VRRP (transport: ip) needs CAP_NET_RAW: run haagent as root or give"
                    + " it AmbientCapabilities=CAP_NET_RAW, or use transport: udp (socket() failed: "
                    + errnoName(errno) + ")";
        }
        return "cannot open a raw IP socket for VRRP (transport: ip) (socket() failed: " + errnoName(errno) + ")";
    }

    private static void configure(Arena arena, MemorySegment state, int fd, Ipv4 source, Optional<String> iface)
            throws IOException {
        MemorySegment ttl = arena.allocateFrom(ValueLayout.JAVA_INT, ADVERT_TTL);
        if (Libc.setsockopt(state, fd, Libc.IPPROTO_IP, Libc.IP_TTL, ttl) < 0) {
            throw new IOException("cannot set TTL 255 on the raw VRRP socket (setsockopt IP_TTL failed: "
                    + errnoName(errno(state)) + ")");
        }
        // struct timeval { time_t tv_sec; suseconds_t tv_usec; }, both 64-bit on the 64-bit Linux we run on
        MemorySegment timeout = arena.allocate(ValueLayout.JAVA_LONG, 2);
        timeout.setAtIndex(ValueLayout.JAVA_LONG, 0, RECEIVE_TIMEOUT.toSeconds());
        timeout.setAtIndex(ValueLayout.JAVA_LONG, 1, RECEIVE_TIMEOUT.toMillisPart() * 1000L);
        if (Libc.setsockopt(state, fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, timeout) < 0) {
            throw new IOException("cannot set a receive timeout on the raw VRRP socket (setsockopt SO_RCVTIMEO"
                    + " failed: " + errnoName(errno(state)) + ")");
        }
        if (iface.isPresent()) {
            bindToDevice(arena, state, fd, iface.get());
        }
        if (Libc.bind(state, fd, Libc.sockaddrIn(arena, source.bits(), 0)) < 0) {
            int errno = errno(state);
            if (errno == Libc.EADDRNOTAVAIL) {
                throw new IOException("unicast.source " + source + " is not an address of this host (bind failed: "
                        + errnoName(errno) + ")");
            }
            throw new IOException("cannot bind the raw VRRP socket to unicast.source " + source + " (bind failed: "
                    + errnoName(errno) + ")");
        }
    }

    private static void bindToDevice(Arena arena, MemorySegment state, int fd, String iface) throws IOException {
        if (Libc.setsockopt(state, fd, Libc.SOL_SOCKET, Libc.SO_BINDTODEVICE, arena.allocateFrom(iface)) < 0) {
            int errno = errno(state);
            String why = errno == Libc.ENODEV ? "interface " + iface + " does not exist on this host"
                    : "cannot bind the raw VRRP socket to interface " + iface;
            throw new IOException(why + " (SO_BINDTODEVICE failed: " + errnoName(errno) + ")");
        }
    }

    /** Sends {@code payload} as the body of one IP protocol 112 packet to {@code peer}; {@code port} is ignored. */
    @Override
    public void send(Ipv4 peer, int port, byte[] payload) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, payload);
            MemorySegment to = Libc.sockaddrIn(arena, peer.bits(), 0);
            long sent;
            synchronized (fdLock) {
                if (closed) {
                    throw new IOException(this + " is closed");
                }
                // Never wait for socket buffer space: a late advert is worse than a dropped one the caller counts.
                sent = Libc.sendto(state, fd, buf, Libc.MSG_DONTWAIT, to);
            }
            if (sent < 0) {
                throw new IOException("sending a VRRP advert from " + source + " to " + peer + " failed (sendto failed: "
                        + errnoName(errno(state)) + ")");
            }
        }
    }

    private void receiveLoop() {
        String name = toString();
        Set<Integer> reported = new HashSet<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER_SIZE);
            MemorySegment state = Libc.newCallState(arena);
            while (!closed) {
                long n = Libc.recv(state, fd, buf);
                if (n < 0) {
                    int errno = errno(state);
                    if (errno == Libc.EAGAIN || errno == Libc.EINTR || closed) {
                        continue;
                    }
                    // Once per errno: an ICMP error from a peer would otherwise log on every advert.
                    if (reported.add(errno)) {
                        log.warn("{} failed to receive (recvfrom failed: {}); still receiving, and will not log {}"
                                + " again", name, errnoName(errno), errnoName(errno));
                    }
                    LockSupport.parkNanos(ERROR_PAUSE_NANOS);
                    continue;
                }
                Optional<Datagram> datagram = IpHeader.parse(buf, (int) n);
                if (datagram.isEmpty()) {
                    log.debug("{} dropped a malformed IP packet of {} bytes", name, n);
                    continue;
                }
                Deliveries.deliver(receiver, datagram.get(), log, name);
            }
        }
    }

    /** Stops the receive thread (within {@link #RECEIVE_TIMEOUT}) and closes the socket; idempotent. */
    @Override
    public void close() {
        synchronized (fdLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (Thread.currentThread() != thread) {
            awaitReceiveThread();
        }
        // Only after the thread stopped: a closed fd number can be reused at once by another socket.
        synchronized (fdLock) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = Libc.newCallState(arena);
                if (Libc.close(state, fd) < 0) {
                    log.debug("{} failed to close its socket ({})", this, errnoName(errno(state)));
                }
            }
        }
    }

    private void awaitReceiveThread() {
        try {
            if (!thread.join(RECEIVE_TIMEOUT.multipliedBy(5))) {
                log.warn("{} closed its socket while its receiver was still busy with a datagram", this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "vrrp ip transport on " + source;
    }
}
