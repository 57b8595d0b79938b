package io.haagent.failover.vrrp.instance;

import io.haagent.event.EventIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.testkit.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookQueueTest {

    @TempDir
    Path dir;

    private final BlockingQueue<String> said = new LinkedBlockingQueue<>();
    private final List<HookQueue> queues = new ArrayList<>();

    @AfterEach
    void closeQueues() {
        queues.forEach(q -> q.close(Duration.ZERO));
    }

    private HookQueue queue(Duration timeout, String... hooks) {
        HookQueue q = new HookQueue("vip", List.of(hooks), timeout, (warn, s) -> said.add((warn ? "WARN " : "INFO ") + s));
        queues.add(q);
        return q;
    }

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private static VrrpEvent event(VrrpState from, VrrpState to, int priority) {
        return new VrrpEvent(EventIds.next(), "vip", from, to, "master 10.0.1.11 silent for 3.6s", priority,
                Optional.of(Ipv4.parse("10.0.1.10")), Instant.now());
    }

    /** The next sentence a hook run reported, failing after a bounded wait. */
    private String next() throws InterruptedException {
        String s = said.poll(30, TimeUnit.SECONDS);
        assertNotNull(s, "no hook reported within 30 s");
        return s;
    }

    @Test
    void hook_getsKeepalivedArguments() throws Exception {
        Path out = dir.resolve("args");
        Path hook = script("args.sh", "printf '%s|' \"$@\" > " + out);
        HookQueue q = queue(Duration.ofSeconds(10), hook.toString());
        VrrpEvent e = event(VrrpState.BACKUP, VrrpState.MASTER, 150);
        q.enqueue(e);
        assertEquals("INFO (vip) ran notify hook " + hook + " for MASTER", next().replaceAll(" in \\d+ ms", "")
                .replace(" [event " + e.eventId() + "]", ""));
        assertEquals("INSTANCE|vip|MASTER|150|", Files.readString(out));
    }

    @Test
    void hook_getsTheEventInItsEnvironment() throws Exception {
        Path out = dir.resolve("env");
        Path hook = script("env.sh", "echo \"$HAAGENT_EVENT_ID|$HAAGENT_INSTANCE|$HAAGENT_STATE|$HAAGENT_PREVIOUS_STATE|"
                + "$HAAGENT_MASTER|$HAAGENT_REASON\" > " + out);
        HookQueue q = queue(Duration.ofSeconds(10), hook.toString());
        VrrpEvent e = event(VrrpState.BACKUP, VrrpState.MASTER, 100);
        q.enqueue(e);
        next();
        assertEquals(e.eventId() + "|vip|MASTER|BACKUP|10.0.1.10|master 10.0.1.11 silent for 3.6s",
                Files.readString(out).strip());
    }

    @Test
    void hooks_runOneAtATimeInTransitionOrder_evenWhenTransitionsComeFasterThanAHookRuns() throws Exception {
        Path log = dir.resolve("order");
        Path lock = dir.resolve("lock");
        // mkdir is atomic: it fails if another hook is still inside
        String body = "mkdir " + lock + " 2>/dev/null || echo OVERLAP >> " + log + "\n"
                + "echo \"$0 $3\" >> " + log + "\nsleep 0.2\nrmdir " + lock;
        Path a = script("a.sh", body);
        Path b = script("b.sh", body);
        HookQueue q = queue(Duration.ofSeconds(10), a.toString(), b.toString());
        long before = System.nanoTime();
        q.enqueue(event(VrrpState.INIT, VrrpState.BACKUP, 100));
        q.enqueue(event(VrrpState.BACKUP, VrrpState.MASTER, 100));
        q.enqueue(event(VrrpState.MASTER, VrrpState.FAULT, 100));
        assertTrue(System.nanoTime() - before < TimeUnit.MILLISECONDS.toNanos(200), "enqueue must not wait for hooks");
        for (int i = 0; i < 6; i++) {
            assertTrue(next().startsWith("INFO"));
        }
        assertEquals(List.of(a + " BACKUP", b + " BACKUP", a + " MASTER", b + " MASTER", a + " FAULT", b + " FAULT"),
                Files.readAllLines(log));
    }

    @Test
    void hookPastTimeout_isKilledWithItsChildren_andTheNextHookRuns() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        Path slow = script("slow.sh", "sleep 60 &\necho $! > " + pidFile + "\necho waiting for the child\nwait");
        Path after = dir.resolve("after");
        Path next = script("next.sh", "touch " + after);
        HookQueue q = queue(Duration.ofMillis(500), slow.toString(), next.toString());
        long before = System.nanoTime();
        q.enqueue(event(VrrpState.BACKUP, VrrpState.MASTER, 100));
        String killed = next();
        assertTrue(killed.startsWith("WARN (vip) killed notify hook " + slow + " for MASTER with its children because "
                + "it ran past notify_timeout 500 ms; output: waiting for the child"), killed);
        assertTrue(next().startsWith("INFO (vip) ran notify hook " + next));
        assertTrue(Files.exists(after));
        System.out.printf("slow hook killed and next one done after %d ms%n", (System.nanoTime() - before) / 1_000_000);
        long child = Long.parseLong(Files.readString(pidFile).strip());
        Eventually.within(Duration.ofSeconds(10), "the hook's child " + child + " to be gone; it outlived the kill",
                () -> gone(child));
    }

    @Test
    void missingHook_isReported_andTheNextHookStillRuns() throws Exception {
        Path after = dir.resolve("after");
        Path ok = script("ok.sh", "touch " + after);
        Path missing = dir.resolve("no-such-hook");
        HookQueue q = queue(Duration.ofSeconds(10), missing.toString(), ok.toString());
        q.enqueue(event(VrrpState.BACKUP, VrrpState.MASTER, 100));
        String report = next();
        assertTrue(report.startsWith("WARN (vip) could not start notify hook " + missing + " for MASTER: "), report);
        assertTrue(report.contains("check that it exists and is executable"), report);
        assertTrue(next().startsWith("INFO (vip) ran notify hook " + ok));
        assertTrue(Files.exists(after));
    }

    @Test
    void failingHook_isReportedWithTheTailOfItsOutput() throws Exception {
        Path hook = script("fail.sh", "i=0\nwhile [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done\n"
                + "echo boom >&2\nexit 3");
        HookQueue q = queue(Duration.ofSeconds(10), hook.toString());
        q.enqueue(event(VrrpState.BACKUP, VrrpState.MASTER, 100));
        String report = next();
        assertTrue(report.startsWith("WARN (vip) notify hook " + hook + " for MASTER exited with status 3 after "),
                report);
        assertTrue(report.contains("; output: ...") && report.contains("line 1999 | boom [event "), report);
        assertFalse(report.contains("line 10 |"), "only the tail is kept");
        // 4 KiB of output, its line breaks shown as " | "
        assertTrue(report.length() < 2 * HookQueue.OUTPUT_TAIL_BYTES, "bounded: " + report.length());
    }

    @Test
    void hook_hasNoStdin() throws Exception {
        Path hook = script("stdin.sh", "cat");
        HookQueue q = queue(Duration.ofSeconds(10), hook.toString());
        q.enqueue(event(VrrpState.BACKUP, VrrpState.MASTER, 100));
        assertTrue(next().startsWith("INFO (vip) ran notify hook " + hook), "cat sees EOF at once instead of hanging");
    }

    @Test
    void close_letsQueuedHooksFinishWithinItsWait() throws Exception {
        Path log = dir.resolve("log");
        Path hook = script("slow.sh", "sleep 0.2\necho \"$3\" >> " + log);
        HookQueue q = queue(Duration.ofSeconds(10), hook.toString());
        q.enqueue(event(VrrpState.BACKUP, VrrpState.MASTER, 100));
        q.enqueue(event(VrrpState.MASTER, VrrpState.INIT, 100));
        q.close(Duration.ofSeconds(30));
        assertEquals(List.of("MASTER", "STOP"), Files.readAllLines(log), "a stopped instance is STOP, as keepalived says");
    }

    @Test
    void close_killsWhatRunsPastItsWait() throws Exception {
        Path started = dir.resolve("started");
        Path hook = script("sleepy.sh", "touch " + started + "\nsleep 60");
        HookQueue q = queue(Duration.ofSeconds(120), hook.toString());
        q.enqueue(event(VrrpState.BACKUP, VrrpState.MASTER, 100));
        q.enqueue(event(VrrpState.MASTER, VrrpState.INIT, 100));
        long before = System.nanoTime();
        q.close(Duration.ofMillis(300));
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(30));
        List<String> all = new ArrayList<>();
        said.drainTo(all);
        assertTrue(all.stream().anyMatch(s -> s.startsWith("WARN (vip) stopped waiting for notify hooks after 300 ms: "
                + "killed the running one and dropped 1 queued transition(s)")), all.toString());
    }

    /** Gone, or a zombie nobody reaped yet (PID 1 in a container may not reap). */
    private static boolean gone(long pid) throws IOException {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (NoSuchFileException e) {
            return true;
        }
    }
}
