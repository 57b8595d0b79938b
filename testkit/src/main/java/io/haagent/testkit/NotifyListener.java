package io.haagent.testkit;

import io.haagent.linux.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What systemd's end of {@code NOTIFY_SOCKET} is: a Unix datagram socket bound at a path or an abstract
 * {@code @name}, reading each datagram as one message ({@code READY=1}, {@code STATUS=...}). Every message
 * received is kept, in order, so a test can assert on what came before. Bounded waits only.
 */
public final class NotifyListener implements AutoCloseable {
    private final String address;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = Libc.newCallState(arena);
    private final MemorySegment buf = arena.allocate(4096);
    private final int fd;
    private final List<Received> received = new ArrayList<>();

    /** One datagram and when (test's {@code System.nanoTime}) it arrived. */
    public record Received(String text, long atNanos) {}

    private NotifyListener(String address) {
        this.address = address;
        fd = Libc.socket(state, Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0 || Libc.bind(state, fd, Libc.sockaddrUn(arena, address)) < 0) {
            String why = Libc.errnoName(Libc.errno(state));
            arena.close();
            throw new IllegalStateException("cannot bind a Unix datagram socket at " + address + ": " + why);
        }
        // a receive returns after 100 ms at most, so that every wait here is bounded by its caller's deadline
        MemorySegment tv = arena.allocate(16, 8);
        tv.set(ValueLayout.JAVA_LONG, 0, 0);
        tv.set(ValueLayout.JAVA_LONG, 8, 100_000);
        Libc.setsockopt(state, fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv);
    }

    /** Bound at {@code file} (a path systemd would give, e.g. {@code /run/systemd/notify}). */
    public static NotifyListener at(Path file) {
        return new NotifyListener(file.toAbsolutePath().toString());
    }

    /** Bound at the abstract name {@code @name}, which has no file. */
    public static NotifyListener abstractNamed(String name) {
        return new NotifyListener("@" + name);
    }

    /** What to put in {@code NOTIFY_SOCKET}. */
    public String address() {
        return address;
    }

    /** Every message received so far (after {@link #await} read them). */
    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /**
     * Reads messages until one matches {@code wanted} (including one received before) or {@code within} passes.
     *
     * @throws AssertionError none matched in time; the message lists what did arrive
     */
    public synchronized Received await(Predicate<String> wanted, Duration within, String what) {
        for (Received r : received) {
            if (wanted.test(r.text())) {
                return r;
            }
        }
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Received> r = receiveOne();
            if (r.isPresent() && wanted.test(r.get().text())) {
                return r.get();
            }
        }
        throw new AssertionError("no notification " + what + " on " + address + " within " + within.toSeconds()
                + " s; received: " + received.stream().map(Received::text).toList());
    }

    /** Reads whatever arrives for {@code during}; for asserting that something did not come. */
    public synchronized List<Received> collect(Duration during) {
        List<Received> got = new ArrayList<>();
        long deadline = System.nanoTime() + during.toNanos();
        while (System.nanoTime() < deadline) {
            receiveOne().ifPresent(got::add);
        }
        return got;
    }

    private Optional<Received> receiveOne() {
        long n = Libc.recv(state, fd, buf);
        if (n < 0) {
            return Optional.empty(); // EAGAIN after the receive timeout, or EINTR
        }
        Received r = new Received(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8),
                System.nanoTime());
        received.add(r);
        return Optional.of(r);
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            Libc.close(state, fd);
            arena.close();
            if (address.startsWith("/")) {
                try {
                    Files.deleteIfExists(Path.of(address));
                } catch (java.io.IOException ignored) {
                    // a temp dir's cleanup removes it anyway
                }
            }
        }
    }
}
