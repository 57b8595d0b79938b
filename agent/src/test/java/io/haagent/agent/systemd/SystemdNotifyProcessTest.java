package io.haagent.agent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.NotifyListener;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code haagent run} as a real process under a pretend systemd: the test binds the notify socket and reads what
 * the daemon says on it, as systemd would, and points {@code JOURNAL_STREAM} at the daemon's stdout file.
 */
class SystemdNotifyProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            try {
                c.close(); // the debugger first, while its daemon still runs: disposing resumes what it suspended
            } catch (com.sun.jdi.VMDisconnectedException gone) {
                // the daemon has exited already
            }
        }
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process haagent(Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        return haagentTo("stdout.log", env, jvmOptions, args);
    }

    /** Output appended to {@code out} in the test's directory: stdout.log is the daemon's (its JOURNAL_STREAM inode). */
    private Process haagentTo(String out, Map<String, String> env, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.haagent.agent.cli.Main"));
        cmd.addAll(List.of(args));
        Path stdout = dir.resolve(out);
        if (!Files.exists(stdout)) {
            Files.writeString(stdout, "");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stderr.log").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private Path config(int port, String extra) throws IOException {
        Path token = dir.resolve("admin.token");
        if (!Files.exists(token)) {
            Files.writeString(token, "tok\n");
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        }
        return Files.writeString(dir.resolve("haagent.yaml"), "node:\n  name: sd\n  state_dir: " + dir.resolve("state")
                + "\n  admin: { listen: \"127.0.0.1:" + port + "\", token_file: " + token + " }\n" + extra);
    }

    private int status(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer tok").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("stdout.log"));
    }

    private String journalStreamOf(Path file) throws IOException {
        return Files.getAttribute(file, "unix:dev") + ":" + Files.getAttribute(file, "unix:ino");
    }

    // Issue 13: under a Type=notify unit haagent never said READY (systemctl start timed out), nor RELOADING,
    // STOPPING or a STATUS; and its log lines all reached the journal at priority info.
    @Test
    void notifies_readyAfterTheAdminPortAndTheFirstRound_reloadsBothWays_stopping_status_andJournalPriorities()
            throws Exception {
        NotifyListener systemd = NotifyListener.at(dir.resolve("notify"));
        closing.add(systemd);
        int port = freePort();
        // the check is up only if the daemon's children do not see systemd's variables
        int vrrp;
        int peer;
        try (var a = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"));
             var b = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            vrrp = a.getLocalPort();
            peer = b.getLocalPort(); // nobody answers there: the instance starts BACKUP, becomes MASTER alone
        }
        Path cfg = config(port, "checks:\n  clean-env: { type: command, interval: 1s, command: [sh, -c,"
                + " 'test -z \"$NOTIFY_SOCKET$WATCHDOG_USEC$WATCHDOG_PID\"'] }\n"
                + "vrrp:\n  vip:\n    vrid: 9\n    advert_interval: 1s\n    version: 3\n    transport: udp\n"
                + "    unicast: { source: 127.0.0.1, port: " + vrrp + ", peers: [\"127.0.0.1:" + peer + "\"] }\n");
        Files.writeString(dir.resolve("stdout.log"), "");
        Map<String, String> env = new HashMap<>(Map.of("NOTIFY_SOCKET", systemd.address(),
                "JOURNAL_STREAM", journalStreamOf(dir.resolve("stdout.log"))));
        Process p = haagent(env, List.of(), "run", "--config", cfg.toString());

        var ready = systemd.await(m -> m.startsWith("READY=1"), WAIT, "READY=1");
        assertEquals(200, status(port), "the admin port answers once READY is said");
        assertEquals("READY=1\nSTATUS=1 check up, 0 down; vip BACKUP", ready.text(),
                "READY after the first round and the VRRP start, with its status");
        systemd.await(m -> m.equals("STATUS=1 check up, 0 down; vip MASTER"), WAIT, "the status once vip is MASTER");
        assertFalse(systemd.received().stream().anyMatch(m -> m.text().startsWith("WATCHDOG")), "no watchdog asked for");

        int beforeHup = systemd.received().size();
        Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
        assertTrue(hup.waitFor(10, TimeUnit.SECONDS));
        List<String> afterHup = since(systemd, beforeHup, m -> m.size() >= 2 && m.getLast().startsWith("READY=1"),
                "RELOADING=1 then READY=1 on SIGHUP");
        assertTrue(afterHup.getFirst().matches("RELOADING=1\nMONOTONIC_USEC=\\d+"), afterHup.toString());
        long usec = Long.parseLong(afterHup.getFirst().substring(afterHup.getFirst().lastIndexOf('=') + 1));
        assertTrue(Math.abs(usec - System.nanoTime() / 1_000) < 60_000_000L,
                "MONOTONIC_USEC is CLOCK_MONOTONIC, the clock this JVM's nanoTime reads too: " + usec);

        int beforeCli = systemd.received().size();
        Process reload = haagentTo("reload.log", Map.of(), List.of(), "reload", "--config", cfg.toString());
        assertTrue(reload.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, reload.exitValue(), Files.readString(dir.resolve("reload.log")) + Files.readString(dir.resolve("stderr.log")));
        List<String> afterCli = since(systemd, beforeCli, m -> m.size() >= 2 && m.getLast().startsWith("READY=1"),
                "RELOADING=1 then READY=1 on haagent reload");
        assertTrue(afterCli.getFirst().startsWith("RELOADING=1\nMONOTONIC_USEC="), afterCli.toString());

        p.destroy(); // SIGTERM
        systemd.await(m -> m.startsWith("STOPPING=1"), WAIT, "STOPPING=1 on SIGTERM");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));

        String log = log();
        assertTrue(log.contains("<6>") && log.lines().allMatch(l -> l.matches("<[3-7]>.*")), log);
        assertTrue(log.lines().anyMatch(l -> l.startsWith("<6>") && l.contains("systemd: ready: 1 check up, 0 down; vip BACKUP")), log);
    }

    @Test
    void withJournalStreamNamingAnotherFile_linesArePlain() throws Exception {
        NotifyListener systemd = NotifyListener.abstractNamed("haagent-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        closing.add(systemd);
        int port = freePort();
        Path cfg = config(port, "");
        Path other = Files.writeString(dir.resolve("other.log"), "");
        Process p = haagent(Map.of("NOTIFY_SOCKET", systemd.address(), "JOURNAL_STREAM", journalStreamOf(other)),
                List.of(), "run", "--config", cfg.toString());
        assertEquals("READY=1\nSTATUS=no checks", systemd.await(m -> m.startsWith("READY=1"), WAIT,
                "READY=1 on an abstract socket").text());
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String log = log();
        assertTrue(log.lines().anyMatch(l -> l.contains(" INFO  systemd: ready: no checks")) && !log.contains("<6>"), log);
    }

    // Issue 13: the watchdog must see a stuck loop, not only a dead JVM. JDWP suspends the heal loop's thread
    // alone (SIGSTOP would stop every thread, the watchdog's too): the pings stop and one sentence names it.
    @Test
    void watchdog_pingsEveryHalfPeriod_stopsWhenTheHealLoopIsStuck_andNamesIt() throws Exception {
        NotifyListener systemd = NotifyListener.abstractNamed("haagent-wd-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        closing.add(systemd);
        int port = freePort();
        int debug = freePort();
        Path cfg = config(port, "");
        haagent(Map.of("NOTIFY_SOCKET", systemd.address(), "WATCHDOG_USEC", "1000000"),
                List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + debug),
                "run", "--config", cfg.toString());
        systemd.await(m -> m.startsWith("READY=1"), WAIT, "READY=1");

        List<NotifyListener.Received> pings = systemd.collect(Duration.ofSeconds(3)).stream()
                .filter(m -> m.text().equals("WATCHDOG=1")).toList();
        // every 500 ms: about six in three seconds; a loaded host may delay a look, never double one
        assertTrue(pings.size() >= 4 && pings.size() <= 7, "pings in 3 s: " + pings.size());

        VirtualMachine vm = attach(debug);
        closing.add(vm::dispose);
        ThreadReference heal = vm.allThreads().stream().filter(t -> t.name().equals("haagent-heal")).findFirst().orElseThrow();
        heal.suspend();
        Eventually.get(WAIT, () -> "the watchdog to name the stuck heal loop (suspended: " + heal.isSuspended() + ", "
                + heal.status() + "); log:\n" + safeLog(), () -> Optional.of(drained(systemd))
                .filter(l -> l.contains("watchdog: not pinging systemd: the heal loop has not run for")));
        String line = safeLog().lines().filter(l -> l.contains("watchdog: not pinging")).findFirst().orElseThrow();
        assertTrue(line.matches(".* ERROR watchdog: not pinging systemd: the heal loop has not run for 1\\d s \\(expected every 1 s\\)"), line);
        systemd.collect(Duration.ofMillis(600)); // a ping sent just before the verdict
        assertFalse(systemd.collect(Duration.ofSeconds(2)).stream().anyMatch(m -> m.text().equals("WATCHDOG=1")),
                "no ping while the heal loop is stuck");
        assertEquals(1, safeLog().lines().filter(l -> l.contains("watchdog: not pinging")).count(), "said once");

        heal.resume();
        int beforeResume = systemd.received().size();
        since(systemd, beforeResume, m -> m.contains("WATCHDOG=1"), "WATCHDOG=1 again once the heal loop runs");
        assertTrue(safeLog().contains("watchdog: pinging systemd again: every loop runs"), safeLog());
    }

    /** The messages received from index {@code from} on, once {@code done} holds for them; bounded. */
    private static List<String> since(NotifyListener l, int from, java.util.function.Predicate<List<String>> done,
                                      String what) {
        return Eventually.get(WAIT, () -> what + "; received since: " + texts(l, from), () -> {
            l.collect(Duration.ofMillis(200));
            List<String> m = texts(l, from);
            return done.test(m) ? Optional.of(m) : Optional.empty();
        });
    }

    private static List<String> texts(NotifyListener l, int from) {
        List<NotifyListener.Received> all = l.received();
        return all.subList(Math.min(from, all.size()), all.size()).stream().map(NotifyListener.Received::text).toList();
    }

    /** Reads the socket for a moment, as systemd would, and answers the daemon's log. */
    private String drained(NotifyListener l) {
        l.collect(Duration.ofMillis(200));
        return safeLog();
    }

    private String safeLog() {
        try {
            return log();
        } catch (IOException e) {
            return "(cannot read: " + e + ")";
        }
    }

    private static VirtualMachine attach(int port) throws Exception {
        AttachingConnector socket = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.transport().name().equals("dt_socket")).findFirst().orElseThrow();
        var args = socket.defaultArguments();
        args.get("hostname").setValue("127.0.0.1");
        args.get("port").setValue(Integer.toString(port));
        args.get("timeout").setValue("10000");
        return socket.attach(args);
    }
}
