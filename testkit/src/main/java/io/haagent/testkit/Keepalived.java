package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real keepalived (Debian's 2.2.7) running VRRP only, in the foreground, in one {@link NetnsLab}
 * host: the reference implementation our VRRP must interoperate with.
 *
 * <pre>{@code
 * Keepalived.unavailableReason().ifPresent(Assumptions::abort);
 * try (NetnsLab lab = NetnsLab.create(2);
 *      Keepalived k = Keepalived.start(lab.host(0), dir, """
 *              vrrp_instance VI_1 {
 *                  state BACKUP
 *                  interface eth0
 *                  virtual_router_id 51
 *                  priority 150
 *                  advert_int 1
 *                  version 2
 *                  unicast_src_ip %s
 *                  unicast_peer { %s }
 *                  virtual_ipaddress { %s100/24 dev eth0 }
 *                  @NOTIFY@
 *              }
 *              """.formatted(lab.host(0).address(), lab.host(1).address(), lab.subnetPrefix()))) {
 *     k.awaitState("MASTER", Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>The caller writes the {@code vrrp_instance} blocks; this class writes {@code global_defs}
 * around them and a notify script that appends {@code "<epoch millis> <STATE> <instance> <priority>"}
 * to {@code state.log} in the work directory. {@code @NOTIFY@} in the blocks becomes that
 * {@code notify} line; without the token it is added to every {@code vrrp_instance} block.
 * Everything keepalived writes (config, pid files, its log, the SIGUSR1 data dump) stays in the work
 * directory, so several can run at once.
 *
 * <p>Without a keepalived binary the test is skipped with the reason — except under CI
 * ({@code CI=true}), where it fails: {@code .ci/run} installs it. {@code KEEPALIVED} may name the
 * binary. {@link #close()} stops it; a JVM shutdown hook kills any a test forgot.
 */
public final class Keepalived implements AutoCloseable {
    private static final LocalProgram PROGRAM = new LocalProgram("keepalived", "KEEPALIVED",
            "install it (apt-get install keepalived)",
            ".ci/run should have installed it (APT_PACKAGES has keepalived:keepalived)");
    /** The placeholder for the notify line in the caller's instance blocks. */
    public static final String NOTIFY_TOKEN = "@NOTIFY@";
    private static final Pattern INSTANCE_OPENING = Pattern.compile("(?m)^(\\s*vrrp_instance\\s+\\S+\\s*\\{)");
    private static final Pattern MASTER_ROUTER = Pattern.compile("(?m)^\\s*Master router = (\\S+)");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final NetnsLab.Host host;
    private final Path dir;
    private final Path configFile;
    private final Path stateLog;
    private final Path logFile;
    // A group leader under setsid, so that a kill reaches the VRRP child at the same moment (see kill()).
    private final LocalProcess process;

    private Keepalived(NetnsLab.Host host, Path dir) {
        this.host = host;
        this.dir = dir;
        this.configFile = dir.resolve("keepalived.conf");
        this.stateLog = dir.resolve("state.log");
        this.logFile = dir.resolve("keepalived.log");
        this.process = new LocalProcess(() -> "keepalived in " + host.namespace(), LocalProcess.Reach.GROUP);
    }

    /**
     * Empty when keepalived can run here; else why not (no binary, or {@link NetnsLab} unavailable).
     * Under CI ({@code CI=true}) a missing binary throws instead: {@code .ci/run} installs it.
     */
    public static Optional<String> unavailableReason() {
        if (binary().isEmpty()) {
            return PROGRAM.unavailableReason().map(why -> why + " to run this test");
        }
        return NetnsLab.unavailableReason();
    }

    /**
     * Writes {@code keepalived.conf} (global_defs plus {@code vrrpInstanceBlocks}) and the notify
     * script into {@code workDir}, starts keepalived in {@code host}'s namespace, and returns once it
     * has recorded its first state (normally BACKUP, from init). Skips the test (fails under CI)
     * when {@link #unavailableReason()} is present.
     *
     * @throws IllegalStateException when keepalived exits or records no state within 10 s; the
     *         message has its log
     */
    public static Keepalived start(NetnsLab.Host host, Path workDir, String vrrpInstanceBlocks) throws IOException {
        unavailableReason().ifPresent(org.junit.jupiter.api.Assumptions::abort);
        Files.createDirectories(workDir);
        Keepalived k = new Keepalived(host, workDir.toAbsolutePath());
        k.writeFiles(vrrpInstanceBlocks);
        try {
            k.launch();
            k.awaitFirstState();
            return k;
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
    }

    private void writeFiles(String blocks) throws IOException {
        Path script = dir.resolve("notify.sh");
        // keepalived appends INSTANCE|GROUP, the name, the state and the priority to the configured command.
        Files.writeString(script, "#!/bin/sh\n"
                + "[ \"$1\" = INSTANCE ] || exit 0\n"
                + "echo \"$(date +%s%3N) $3 $2 $4\" >> " + shellQuote(stateLog.toString()) + "\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.deleteIfExists(stateLog);
        String notify = "notify \"" + script + "\"";
        String instances = blocks.contains(NOTIFY_TOKEN)
                ? blocks.replace(NOTIFY_TOKEN, notify)
                : INSTANCE_OPENING.matcher(blocks).replaceAll("$1\n    " + Matcher.quoteReplacement(notify));
        // No enable_script_security: it would refuse the script if any directory above the work
        // directory were writable by a non-root user; keepalived only logs a warning without it.
        String config = """
                # written by io.haagent.testkit.Keepalived
                global_defs {
                    router_id %s
                    script_user root
                }

                %s
                """.formatted(host.namespace(), instances);
        Files.writeString(configFile, config, StandardCharsets.UTF_8);
    }

    private void launch() {
        ProcessBuilder pb = host.command("setsid", binary().orElseThrow().toString(),
                "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp",
                "--use-file=" + configFile, "--pid=" + dir.resolve("keepalived.pid"),
                "--vrrp_pid=" + dir.resolve("vrrp.pid"));
        // keepalived writes its SIGUSR1 dump to $TMPDIR/keepalived.data: one per instance here.
        pb.environment().put("TMPDIR", dir.toString());
        process.start(pb.directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())),
                logFile);
    }

    private void awaitFirstState() {
        process.awaitReady("recording a state", READY_TIMEOUT, () -> state().isPresent(), this::logTail);
    }

    /** The host it runs in. */
    public NetnsLab.Host host() {
        return host;
    }

    /** The work directory: config, notify script, state log, log, pid files. */
    public Path dir() {
        return dir;
    }

    /** The config file keepalived was started with. */
    public Path configFile() {
        return configFile;
    }

    /** Whether the keepalived parent process is alive. */
    public boolean isRunning() {
        return process.isRunning();
    }

    /** The keepalived parent's process id (the VRRP child's is in {@code vrrp.pid}). */
    public long pid() {
        return process.pid();
    }

    /** The last state the notify script recorded (MASTER, BACKUP, FAULT, STOP), or empty before the first. */
    public Optional<String> state() {
        List<Map.Entry<Long, String>> t = transitions();
        return t.isEmpty() ? Optional.empty() : Optional.of(t.getLast().getValue());
    }

    /**
     * Waits until {@link #state()} is {@code state}.
     *
     * @throws AssertionError on timeout, with the transitions and the tail of keepalived's log
     */
    public void awaitState(String state, Duration timeout) {
        Eventually.within(timeout, () -> "keepalived in " + host.namespace() + " to become " + state + "; it is "
                + state().orElse("(no state)") + "; transitions " + transitions() + "; its log:\n" + logTail(),
                () -> state().equals(Optional.of(state)));
    }

    /** Every recorded transition, oldest first: epoch millis (the notify script's clock) and state. */
    public List<Map.Entry<Long, String>> transitions() {
        List<String> lines;
        try {
            lines = Files.exists(stateLog) ? Files.readAllLines(stateLog, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stateLog, e);
        }
        List<Map.Entry<Long, String>> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2) { // a line still being appended may be cut short
                try {
                    out.add(Map.entry(Long.parseLong(f[0]), f[1]));
                } catch (NumberFormatException e) {
                    // see above
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The address keepalived currently takes for the master of its (first) instance — {@code Master
     * router} of its SIGUSR1 data dump — or empty when it has heard none yet (or is master itself and
     * reports none). Takes a few hundred ms.
     */
    public Optional<String> masterAddress() {
        Path data = dir.resolve("keepalived.data");
        long pid = pid();
        try {
            Files.deleteIfExists(data);
            LocalProcess.signal("USR1", Long.toString(pid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot ask keepalived pid " + pid + " for its data dump", e);
        }
        // The VRRP child writes the dump some time after the parent relays the signal: wait for it to stop growing.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String previous = null;
        while (System.nanoTime() < deadline) {
            LocalProgram.pause(50, "keepalived's data dump");
            try {
                String now = Files.exists(data) ? Files.readString(data, StandardCharsets.UTF_8) : null;
                if (now != null && !now.isEmpty() && now.equals(previous)) {
                    Matcher m = MASTER_ROUTER.matcher(now);
                    // Before the first advert keepalived shows the VRRP multicast group (ff02::12 or 224.0.0.18).
                    return m.find() && !isMulticast(m.group(1)) ? Optional.of(m.group(1)) : Optional.empty();
                }
                previous = now;
            } catch (IOException e) {
                previous = null;
            }
        }
        throw new IllegalStateException("keepalived in " + host.namespace() + " wrote no data dump to " + data
                + " within 5 s; its log:\n" + logTail());
    }

    /** Everything keepalived wrote to stdout and stderr ({@code --log-console --log-detail}). */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** The last lines of the log, for failure messages. */
    public String logTail() {
        return LocalProgram.tail(logFile);
    }

    /**
     * SIGKILL to keepalived and everything it started, at once, as a crash or power loss would: no
     * priority-0 advert, the VIP stays on the interface. Waits for the exits.
     */
    public void kill() {
        // The VRRP child must not outlive the parent even briefly: its parent-death signal is SIGTERM,
        // which would make it send priority 0 — a graceful stop, not a crash. So the whole group at once.
        process.kill();
    }

    /**
     * SIGTERM: the graceful stop — keepalived sends priority 0, drops its VIPs and records STOP.
     * Waits for the exit (10 s at most, then kills).
     */
    public void stop() {
        // The parent waits for its children, but a notify script of the last moment may linger: stop kills it.
        process.stop(STOP_TIMEOUT);
    }

    /** Stops keepalived (gracefully, then by force); never leaves it running. Safe to call twice. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "keepalived in " + host.namespace() + " (" + host.address() + ")";
    }

    /** On the PATH, else in /usr/sbin: a non-login root environment may leave sbin off the PATH. */
    private static Optional<Path> binary() {
        return PROGRAM.find().or(() -> Optional.of(Path.of("/usr/sbin/keepalived")).filter(Files::isExecutable));
    }

    private static boolean isMulticast(String address) {
        String a = address.toLowerCase(java.util.Locale.ROOT);
        if (a.startsWith("ff")) {
            return true;
        }
        int dot = a.indexOf('.');
        if (dot < 0) {
            return false;
        }
        try {
            int first = Integer.parseInt(a.substring(0, dot));
            return first >= 224 && first <= 239;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
