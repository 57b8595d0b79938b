package io.haagent.failover.vrrp.instance;

import io.haagent.event.EventIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.VrrpState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {

    @TempDir
    Path dir;

    private static VrrpEvent event(VrrpState to, int priority, Optional<Ipv4> master, String reason) {
        return new VrrpEvent(EventIds.next(), "redis-vip", VrrpState.BACKUP, to, reason, priority, master,
                Instant.parse("2025-01-01T12:00:00.123Z"));
    }

    @Test
    void write_thenRead_givesEveryKeyBack() throws IOException {
        StateFile f = new StateFile(dir, "redis-vip");
        VrrpEvent e = event(VrrpState.MASTER, 100, Optional.of(Ipv4.parse("10.0.1.10")),
                "master 10.0.1.11 silent for 3.6s");
        assertTrue(f.write(e));
        assertEquals(dir.resolve("redis-vip.state"), f.path());
        assertEquals(Map.of("state", "MASTER", "since", "2025-01-01T12:00:00.123Z", "priority", "100",
                "master", "10.0.1.10", "event_id", e.eventId(), "reason", "master 10.0.1.11 silent for 3.6s"),
                StateFile.read(f.path()));
        List<String> lines = Files.readAllLines(f.path());
        assertEquals("state=MASTER", lines.getFirst(), "grep ^state= must work");
        assertEquals("reason='master 10.0.1.11 silent for 3.6s'", lines.getLast(), "a shell can source it");
    }

    @Test
    void writeHandOver_thenHandOver_givesItBack_andAPlainWriteDropsIt() throws IOException {
        StateFile f = new StateFile(dir, "redis-vip");
        VrrpEvent master = event(VrrpState.MASTER, 150, Optional.of(Ipv4.parse("10.0.1.10")), "master silent");
        Instant at = Instant.parse("2025-01-01T12:00:05.456Z");

        assertTrue(f.writeHandOver(master, at, 1000, 30_000_000_000L));

        Map<String, String> m = StateFile.read(f.path());
        assertEquals("MASTER", m.get("state"));
        assertEquals("2025-01-01T12:00:05.456Z", m.get("handed_over_at"));
        assertEquals("30.00s", m.get("handover_hold"));
        assertEquals(Optional.of(new StateFile.HandOver(at, 1000)), StateFile.handOver(f.path()));
        f.write(master);
        assertEquals(Optional.empty(), StateFile.handOver(f.path()), "consumed by the next transition");
    }

    @Test
    void handOver_absentOrUnreadable_isNone() throws IOException {
        assertEquals(Optional.empty(), StateFile.handOver(dir.resolve("none.state")));
        Path bad = Files.writeString(dir.resolve("bad.state"), "state=MASTER\nhanded_over_at=yesterday\n"
                + "handover_advert_centis=1000\n");
        assertEquals(Optional.empty(), StateFile.handOver(bad));
        Path zero = Files.writeString(dir.resolve("zero.state"), "state=MASTER\nhanded_over_at=2025-01-01T12:00:05Z\n"
                + "handover_advert_centis=0\n");
        assertEquals(Optional.empty(), StateFile.handOver(zero));
        Path stopped = Files.writeString(dir.resolve("stop.state"), "state=STOP\nhanded_over_at=2025-01-01T12:00:05Z\n"
                + "handover_advert_centis=1000\n");
        assertEquals(Optional.empty(), StateFile.handOver(stopped), "only a MASTER hands over");
    }

    @Test
    void write_unknownMasterAndAwkwardReason_staysOneLineEach() throws IOException {
        StateFile f = new StateFile(dir, "vip");
        f.write(event(VrrpState.BACKUP, 90, Optional.empty(), "it's\nbroken"));
        Map<String, String> m = StateFile.read(f.path());
        assertEquals("", m.get("master"));
        assertEquals("it's broken", m.get("reason"));
        assertEquals(6, Files.readAllLines(f.path()).size());
    }

    @Test
    void write_shellCanSourceIt() throws Exception {
        StateFile f = new StateFile(dir, "vip");
        f.write(event(VrrpState.MASTER, 100, Optional.empty(), "it's $(touch " + dir.resolve("pwned") + ") here"));
        Process p = new ProcessBuilder("sh", "-c", ". \"$0\" && printf '%s|%s' \"$state\" \"$reason\"",
                f.path().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals("MASTER|it's $(touch " + dir.resolve("pwned") + ") here", out);
        assertFalse(Files.exists(dir.resolve("pwned")));
    }

    @Test
    void write_replacesAtomically_readersNeverSeeHalfAFile() throws Exception {
        StateFile f = new StateFile(dir, "vip");
        f.write(event(VrrpState.BACKUP, 100, Optional.empty(), "first"));
        AtomicReference<String> bad = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                while (done.getCount() > 0) {
                    Map<String, String> m = StateFile.read(f.path());
                    if (m.size() != 6) {
                        bad.set("saw " + m);
                    }
                }
            } catch (IOException e) {
                bad.set(e.toString());
            }
        });
        for (int i = 0; i < 300; i++) {
            f.write(event(i % 2 == 0 ? VrrpState.MASTER : VrrpState.BACKUP, 100, Optional.empty(),
                    "flip " + "x".repeat(i)));
        }
        done.countDown();
        reader.join(10_000);
        assertEquals(null, bad.get());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f.path()), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void write_createsTheDirectory() throws IOException {
        Path nested = dir.resolve("a/b/state");
        StateFile f = new StateFile(nested, "vip");
        assertTrue(f.write(event(VrrpState.BACKUP, 100, Optional.empty(), "started")));
        assertEquals("BACKUP", StateFile.read(nested.resolve("vip.state")).get("state"));
    }

    @Test
    void write_dirIsAFile_isReportedNotThrown() throws IOException {
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        StateFile f = new StateFile(notADir, "vip");
        assertFalse(f.write(event(VrrpState.MASTER, 100, Optional.empty(), "started")));
    }

    @Test
    void read_noFile_isEmpty() throws IOException {
        assertEquals(Map.of(), StateFile.read(dir.resolve("nothing.state")));
    }
}
