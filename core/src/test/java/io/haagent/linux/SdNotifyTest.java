package io.haagent.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify over a real Unix datagram socket the test binds (core's tests cannot use testkit: it uses core). */
class SdNotifyTest {
    @TempDir
    Path dir;

    @Test
    void send_toAPathSocket_arrivesAsOneDatagramWithoutNul() {
        String address = dir.resolve("notify").toString();
        try (Receiver r = new Receiver(address); SdNotify n = SdNotify.of(Map.of("NOTIFY_SOCKET", address), 42)) {
            assertTrue(n.enabled());
            assertEquals(Optional.empty(), n.send("READY=1\nSTATUS=1 check up"));
            assertEquals("READY=1\nSTATUS=1 check up", r.receive());
        }
    }

    @Test
    void send_toAnAbstractSocket_reachesTheNameNotAFile() {
        String address = "@haagent-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (Receiver r = new Receiver(address); SdNotify n = SdNotify.of(Map.of("NOTIFY_SOCKET", address), 42)) {
            assertEquals(Optional.empty(), n.send("WATCHDOG=1"));
            assertEquals("WATCHDOG=1", r.receive());
            assertFalse(Files.exists(Path.of(address)));
        }
    }

    @Test
    void send_withNoListener_saysWhyInsteadOfThrowing() {
        try (SdNotify n = SdNotify.of(Map.of("NOTIFY_SOCKET", dir.resolve("nobody").toString()), 42)) {
            assertEquals(Optional.of("sendto " + dir.resolve("nobody") + ": ENOENT"), n.send("READY=1"));
        }
    }

    // Found by the watchdog test: with nobody reading, the eleventh datagram blocked the pinging thread for good.
    @Test
    void send_toAFullQueue_failsAtOnceWithEagain_neverBlocks() {
        String address = dir.resolve("notify").toString();
        try (Receiver r = new Receiver(address); SdNotify n = SdNotify.of(Map.of("NOTIFY_SOCKET", address), 42)) {
            Optional<String> failed = Optional.empty();
            for (int i = 0; i < 10_000 && failed.isEmpty(); i++) {
                failed = n.send("WATCHDOG=1");
            }
            assertEquals(Optional.of("sendto " + address + ": EAGAIN"), failed);
        }
    }

    @Test
    void withoutNotifySocket_sendsNothing_andHasNoWatchdog() {
        try (SdNotify n = SdNotify.of(Map.of("WATCHDOG_USEC", "30000000"), 42)) {
            assertFalse(n.enabled());
            assertEquals(Optional.empty(), n.send("READY=1"));
            assertEquals(OptionalLong.empty(), n.watchdogMicros());
        }
    }

    @Test
    void watchdog_isOursWhenThePidIsOursOrAbsent_notAnotherProcesss() {
        String address = dir.resolve("notify").toString();
        try (SdNotify ours = SdNotify.of(Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42);
             SdNotify any = SdNotify.of(Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "30000000"), 42);
             SdNotify other = SdNotify.of(Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "7"), 42);
             SdNotify junk = SdNotify.of(Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "soon"), 42)) {
            assertEquals(OptionalLong.of(30_000_000), ours.watchdogMicros());
            assertEquals(OptionalLong.of(30_000_000), any.watchdogMicros());
            assertEquals(OptionalLong.empty(), other.watchdogMicros());
            assertEquals(OptionalLong.empty(), junk.watchdogMicros());
        }
    }

    @Test
    void aRelativeOrOverlongAddress_isRefusedInWords() {
        var relative = assertThrows(IllegalArgumentException.class, () -> SdNotify.of(Map.of("NOTIFY_SOCKET", "run/notify"), 1));
        assertEquals("'run/notify' is no Unix socket address: an absolute path or @name", relative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SdNotify.of(Map.of("NOTIFY_SOCKET", "/" + "x".repeat(107)), 1));
    }

    @Test
    void scrub_removesWhatSystemdGaveTheDaemon_only() {
        Map<String, String> env = new HashMap<>(Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "1",
                "WATCHDOG_PID", "1", "PATH", "/usr/bin"));
        SdNotify.scrub(env);
        assertEquals(Map.of("PATH", "/usr/bin"), env);
    }

    @Test
    void journalStream_matchesTheFileOpenOnTheDescriptor_only() throws Exception {
        Path file = Files.writeString(dir.resolve("out"), "");
        Path other = Files.writeString(dir.resolve("other"), "");
        String mine = Files.getAttribute(file, "unix:dev") + ":" + Files.getAttribute(file, "unix:ino");
        String notMine = Files.getAttribute(other, "unix:dev") + ":" + Files.getAttribute(other, "unix:ino");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            int fd = Libc.open(state, arena.allocateFrom(file.toString()), Libc.O_RDONLY | Libc.O_CLOEXEC);
            assertTrue(fd >= 0);
            try {
                assertTrue(JournalStream.names(mine, fd), mine);
                assertFalse(JournalStream.names(notMine, fd));
                assertFalse(JournalStream.names(null, fd));
                assertFalse(JournalStream.names("12", fd));
            } finally {
                Libc.close(state, fd);
            }
        }
    }

    /** systemd's end: a bound datagram socket that waits at most 5 s for a message. */
    private static final class Receiver implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment state = Libc.newCallState(arena);
        private final int fd;

        Receiver(String address) {
            fd = Libc.socket(state, Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            assertTrue(fd >= 0);
            assertEquals(0, Libc.bind(state, fd, Libc.sockaddrUn(arena, address)), () -> Libc.errnoName(Libc.errno(state)));
            MemorySegment tv = arena.allocate(16, 8);
            tv.set(ValueLayout.JAVA_LONG, 0, 5);
            Libc.setsockopt(state, fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv);
        }

        String receive() {
            MemorySegment buf = arena.allocate(1024);
            long n = Libc.recv(state, fd, buf);
            assertTrue(n >= 0, () -> "nothing received: " + Libc.errnoName(Libc.errno(state)));
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            Libc.close(state, fd);
            arena.close();
        }
    }
}
