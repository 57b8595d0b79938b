package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Debian 12 machine with a real systemd 252 as its PID 1, in namespaces of this host, for tests
 * that drive a service the way an operator does: install a package or a unit, {@code systemctl},
 * {@code journalctl}, kill a main process and watch systemd restart it. Root only.
 *
 * <pre>{@code
 * SystemdLab.unavailableReason().ifPresent(Assumptions::abort);
 * try (SystemdLab lab = SystemdLab.boot()) {
 *     lab.copyIn(unitFile, "/etc/systemd/system/demo.service");
 *     lab.exec("systemctl", "daemon-reload");
 *     assertTrue(lab.exec("systemctl", "start", "demo").ok());
 *     lab.signal(lab.mainPid("demo"), "KILL");
 * }
 * }</pre>
 *
 * <p><b>The root.</b> {@link DebianRoot} debootstraps it once (minbase plus systemd, dbus, procps,
 * python3) from the mirror this machine's apt sources name, and caches it under
 * {@code /var/cache/haagent-test}; the units a lab cannot or must not run are masked there, each
 * with its reason in {@link DebianRoot#MASKED} (gettys, kernel module loading, binfmt, kernel
 * debug filesystems, the apt and disk timers). Each lab boots an overlay of that root (a private
 * upper directory; a full {@code cp -a --reflink=auto} where overlayfs does not mount), with a
 * fresh {@code /etc/machine-id}: an empty one would make systemd treat the boot as a first boot
 * and apply presets to every unit.
 *
 * <p><b>The namespaces.</b> {@code unshare --pid --fork --mount --uts --ipc --net --cgroup}:
 * <ul>
 * <li>pid: systemd must be PID 1 ({@code --system} refuses otherwise); when it dies the kernel
 *     kills everything else in the lab, which is what makes {@link #close()} leave nothing behind.
 * <li>mount (private propagation): every mount below is the lab's and dies with it; nothing
 *     appears in the host's mount table.
 * <li>uts: systemd sets the hostname from {@code /etc/hostname}; without it, the host's.
 * <li>net: the lab has its own loopback only; it reaches nothing, and a service there binding a
 *     port never clashes with the host or another lab. Tests talk to it through {@link #exec}.
 * <li>ipc: System V IPC and POSIX queues of the lab's services stay the lab's.
 * <li>cgroup: the lab runs in its own cgroup {@code haagent-lab-<jvm pid>-<n>} of the host's
 *     cgroup2 tree, which systemd sees as its root; without it, systemd would build
 *     {@code system.slice} in the host's root cgroup, where two labs would fight over it.
 * </ul>
 *
 * <p><b>The mounts</b>, made by PID 1 of the lab before it execs systemd (see {@link #BOOT}):
 * <ul>
 * <li>{@code /proc}: a new proc for the new pid namespace; {@code /proc/sys} bound read-only, so
 *     that no unit ({@code systemd-sysctl}, systemd's own {@code fs.nr_open} raise) writes the
 *     host kernel's global settings.
 * <li>{@code /sys}: a new sysfs, read-only (the state a container's systemd expects, which skips
 *     units that would write it), and showing the lab's network namespace; not a bind of the
 *     host's {@code /sys}, which would bring the host's cgroup mounts along.
 * <li>{@code /sys/fs/cgroup}: a cgroup2 mounted inside the cgroup namespace, so rooted at the
 *     lab's cgroup: systemd runs in unified mode whatever the host runs (this host mounts a
 *     hybrid v1/v2 layout).
 * <li>{@code /dev}: a tmpfs with binds of null, zero, full, random, urandom and tty, and a devpts
 *     of its own; not a bind of the host's {@code /dev}: journald links {@code /dev/log} there
 *     (it would appear on the host), and getty@tty1 would find the host's terminals.
 * <li>{@code /run}: a tmpfs, as systemd requires.
 * </ul>
 * systemd then starts through {@code setpriv} without {@code CAP_SYS_MODULE} and
 * {@code CAP_SYS_TIME} in the bounding set (nothing in a lab loads modules into, or sets the clock
 * of, the host's kernel) and with {@code container=haagent-lab}, by which systemd and its units know
 * they are in a container (e.g. {@code ConditionVirtualization=!container}).
 *
 * <p><b>Shutting down.</b> {@link #close()} asks for {@code systemctl poweroff} (services get their
 * stop), kills the lab's PID 1 when that does not finish in time, kills what is left in its cgroup,
 * removes the cgroup and the lab's directory. A JVM shutdown hook closes labs a test forgot, and
 * {@link #boot()} first removes labs of earlier test JVMs that died without closing theirs.
 */
public final class SystemdLab implements AutoCloseable {
    static final Path LABS = DebianRoot.CACHE.resolve("labs");
    private static final String CGROUP_PREFIX = "haagent-lab-";
    private static final Pattern OURS = Pattern.compile("^(\\d+)-(\\d+)$");
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger MADE = new AtomicInteger();
    private static final Set<SystemdLab> LIVE = ConcurrentHashMap.newKeySet();
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final LocalProgram DEBOOTSTRAP = new LocalProgram("debootstrap", "HAAGENT_DEBOOTSTRAP",
            "install debootstrap (apt-get install debootstrap)",
            ".ci/run should have installed it (APT_PACKAGES has debootstrap:debootstrap)");
    private static final List<String> TOOLS = List.of("unshare", "nsenter", "chroot", "setpriv", "sh", "rm", "cp");

    /** PID 1 of the lab until it execs systemd: the mounts, then systemd. Arguments: copy mode, cached root, lab dir. */
    static final String BOOT = """
            set -eu
            mode=$1 lower=$2 root=$3/root
            if [ "$mode" = OVERLAY ]; then
                mount -t overlay overlay -o "lowerdir=$lower,upperdir=$3/upper,workdir=$3/work" "$root"
            else
                mount --bind "$root" "$root"
            fi
            mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
            mount --bind "$root/proc/sys" "$root/proc/sys"
            mount -o remount,bind,ro "$root/proc/sys"
            mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
            mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"
            mount -t tmpfs -o mode=755,nosuid tmpfs "$root/dev"
            for node in null zero full random urandom tty; do
                touch "$root/dev/$node"
                mount --bind "/dev/$node" "$root/dev/$node"
            done
            mkdir -m 755 "$root/dev/pts"
            mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
            ln -s pts/ptmx "$root/dev/ptmx"
            ln -s /proc/self/fd "$root/dev/fd"
            ln -s /proc/self/fd/0 "$root/dev/stdin"
            ln -s /proc/self/fd/1 "$root/dev/stdout"
            ln -s /proc/self/fd/2 "$root/dev/stderr"
            mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$root/run"
            exec setpriv --bounding-set -sys_module,-sys_time \\
                env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin container=haagent-lab \\
                chroot "$root" /lib/systemd/systemd --system
            """;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(SystemdLab::close), "systemd-lab-reaper"));
    }

    private static volatile Optional<String> unavailable;
    private static volatile Copy copyMode;

    /** How a lab gets its own root from the cached one. */
    enum Copy {
        /** An overlayfs with the cached root as its lower layer: milliseconds, a few MB. */
        OVERLAY,
        /** {@code cp -a --reflink=auto}: where overlayfs does not mount (seconds, and the root's size). */
        FULL
    }

    /**
     * A command's end: its exit code (-1 when it was killed at its time limit) and its stdout and
     * stderr, interleaved as written.
     */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * What the boot did.
     *
     * @param state what {@code systemctl is-system-running} said: {@code running} or {@code degraded}
     * @param failedUnits the failed units when degraded
     * @param copied how long the lab's root took to make ({@code copy})
     * @param booted from the start of the namespaces to the state above
     */
    public record BootReport(String state, List<String> failedUnits, Copy copy, Duration copied, Duration booted) {
        @Override
        public String toString() {
            return state + " " + booted.toMillis() + " ms after the start (" + copy.name().toLowerCase()
                    + " root in " + copied.toMillis() + " ms)"
                    + (failedUnits.isEmpty() ? "" : "; failed: " + String.join(", ", failedUnits));
        }
    }

    private final String id;
    private final Path dir;
    private final Path cgroup;
    private Process unshare;
    private long hostPid;
    private BootReport report;
    private boolean closed; // guarded by this

    private SystemdLab(String id, Path dir, Path cgroup) {
        this.id = id;
        this.dir = dir;
        this.cgroup = cgroup;
    }

    /**
     * Empty when this machine can boot labs; else why not: not root, a tool missing, no cgroup2,
     * no namespaces, no Debian 12 mirror in the apt sources while the root is not cached yet. Tests
     * pass it to {@code Assumptions}. Under CI ({@code CI=true}) a missing debootstrap throws instead,
     * since {@code .ci/run} installs it; a lack of privileges still only skips.
     */
    public static Optional<String> unavailableReason() {
        Optional<String> known = unavailable;
        if (known == null) {
            known = probe();
            unavailable = known;
        }
        return known;
    }

    private static Optional<String> probe() {
        boolean cached = Files.isRegularFile(DebianRoot.path().resolve(DebianRoot.STAMP));
        if (!cached && debootstrap().isEmpty()) {
            return DEBOOTSTRAP.unavailableReason();
        }
        for (String tool : TOOLS) {
            if (onPath(tool).isEmpty()) {
                return Optional.of(tool + " is not on " + HostCommand.PATH);
            }
        }
        Result uid = HostCommand.run(List.of("id", "-u"), Duration.ofSeconds(10), null);
        if (!uid.output().strip().equals("0")) {
            return Optional.of("a systemd lab needs root (namespaces, mounts, cgroups); running as uid "
                    + uid.output().strip());
        }
        if (cgroup2Root().isEmpty()) {
            return Optional.of("no cgroup2 file system is mounted (/proc/self/mountinfo); systemd needs one");
        }
        if (!cached && AptMirror.forSuite(DebianRoot.SUITE).isEmpty()) {
            return Optional.of("no deb entry for " + DebianRoot.SUITE + " in /etc/apt sources: nowhere to debootstrap from");
        }
        Result ns = HostCommand.run(List.of("unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "--net",
                "--cgroup", "--propagation", "private", "true"), Duration.ofSeconds(10), null);
        if (!ns.ok()) {
            return Optional.of("unshare cannot make the namespaces: " + ns.output().strip());
        }
        return Optional.empty();
    }

    /**
     * Boots a lab: makes the cached root first when there is none (about a minute), then the lab's
     * copy of it, and waits until systemd says {@code running} or {@code degraded}.
     *
     * @throws IllegalStateException when {@link #unavailableReason()} is present, or systemd does not
     *         come up (the message has its console and, when it got that far, its failed units)
     */
    public static SystemdLab boot() throws IOException {
        return boot(copyMode());
    }

    static SystemdLab boot(Copy copy) throws IOException {
        unavailableReason().ifPresent(why -> {
            throw new IllegalStateException("cannot boot a systemd lab: " + why);
        });
        removeLeftovers();
        Path lower = DebianRoot.cached(debootstrap(), AptMirror.forSuite(DebianRoot.SUITE));
        String id = PID + "-" + MADE.getAndIncrement();
        SystemdLab lab = new SystemdLab(id, LABS.resolve(id), cgroup2Root().orElseThrow().resolve(CGROUP_PREFIX + id));
        LIVE.add(lab);
        try {
            lab.start(copy, lower);
            return lab;
        } catch (IOException | RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    private void start(Copy copy, Path lower) throws IOException {
        long copyStart = System.nanoTime();
        Files.createDirectories(dir);
        Path etc;
        if (copy == Copy.OVERLAY) {
            Files.createDirectories(dir.resolve("root"));
            Files.createDirectories(dir.resolve("work"));
            etc = Files.createDirectories(dir.resolve("upper/etc"));
        } else {
            HostCommand.runOrThrow(List.of("cp", "-a", "--reflink=auto", lower.toString(), dir.resolve("root").toString()),
                    Duration.ofMinutes(5));
            etc = dir.resolve("root/etc");
        }
        Files.writeString(etc.resolve("machine-id"), UUID.randomUUID().toString().replace("-", "") + "\n");
        Duration copied = Duration.ofNanos(System.nanoTime() - copyStart);

        Files.createDirectory(cgroup);
        Path script = Files.writeString(dir.resolve("boot.sh"), BOOT);
        long bootStart = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "echo $$ > \"$1\" && shift && exec \"$@\"", "sh",
                cgroup.resolve("cgroup.procs").toString(),
                "unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "--net", "--cgroup",
                "--propagation", "private", "sh", script.toString(), copy.name(), lower.toString(), dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("PATH", HostCommand.PATH);
        unshare = pb.start();
        hostPid = Eventually.get(Duration.ofSeconds(10), () -> "unshare's child, the lab's PID 1; console:\n" + consoleTail(),
                () -> {
                    if (!unshare.isAlive()) {
                        throw new IllegalStateException("unshare exited with " + unshare.exitValue()
                                + " before the lab's PID 1 started; console:\n" + consoleTail());
                    }
                    return unshare.children().findFirst().map(ProcessHandle::pid);
                });
        leaveCgroup(unshare.pid());

        String state = Eventually.get(BOOT_TIMEOUT, () -> "systemd in " + dir + " running or degraded; console:\n"
                + consoleTail(), () -> {
                    if (!unshare.isAlive()) {
                        throw new IllegalStateException("the lab's PID 1 exited with " + unshare.exitValue()
                                + " before systemd was up; console:\n" + consoleTail());
                    }
                    // --wait blocks until the boot is done; a systemctl too early (no bus yet) fails fast
                    List<String> said = exec(Duration.ofSeconds(10), "systemctl", "is-system-running", "--wait")
                            .output().strip().lines().toList();
                    String last = said.isEmpty() ? "" : said.getLast();
                    return last.equals("running") || last.equals("degraded") ? Optional.of(last) : Optional.empty();
                });
        Duration booted = Duration.ofNanos(System.nanoTime() - bootStart);
        report = new BootReport(state, state.equals("degraded") ? failedUnits() : List.of(), copy, copied, booted);
    }

    /**
     * Moves unshare itself (it waits outside the lab's pid namespace for PID 1) back to the JVM's
     * cgroup: the lab's cgroup, systemd's root, then holds only the lab's processes, and cgroup2's
     * "no processes in inner nodes" rule cannot stop systemd enabling controllers for its slices.
     */
    private void leaveCgroup(long pid) throws IOException {
        Path root = cgroup2Root().orElseThrow();
        String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .findFirst().map(l -> l.substring(3)).orElse("/");
        Path back = root.resolve(own.replaceFirst("^/", ""));
        Files.writeString(back.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** What the boot did: state, failed units, how long the copy and the boot took. */
    public BootReport report() {
        return report;
    }

    /** The host's pid of the lab's systemd (its PID 1): its namespaces are the lab's ({@code /proc/<pid>/ns}). */
    public long hostPid() {
        return hostPid;
    }

    /** The host directory of this lab (its overlay's layers or its copy). */
    Path dir() {
        return dir;
    }

    /** The lab's cgroup in the host's cgroup2 tree. */
    Path cgroup() {
        return cgroup;
    }

    /** Runs {@code argv} in the lab as root, waiting at most a minute; see {@link #exec(Duration, String...)}. */
    public Result exec(String... argv) {
        return exec(COMMAND_TIMEOUT, argv);
    }

    /**
     * Runs {@code argv} in the lab as root, in all its namespaces, its root and {@code /} as working
     * directory, with a clean environment (PATH and LANG only, as a root shell would have), and
     * returns whatever the exit code. Pids the command sees and prints are the lab's.
     */
    public Result exec(Duration timeout, String... argv) {
        return HostCommand.run(inLab(argv), timeout, null);
    }

    private List<String> inLab(String... argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(hostPid),
                "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w",
                "env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"));
        full.addAll(List.of(argv));
        return full;
    }

    /**
     * Copies the host's file {@code host} to {@code inRoot} in the lab, with its permission bits,
     * making the directories on the way. The path is resolved inside the lab (its symlinks are the
     * lab's), since the file goes through {@code install} run there.
     */
    public void copyIn(Path host, String inRoot) throws IOException {
        if (!Files.isRegularFile(host)) {
            throw new IllegalArgumentException(host + " is not a regular file; copyIn copies files one by one");
        }
        int mode = 0;
        for (PosixFilePermission p : Files.getPosixFilePermissions(host)) {
            mode |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 and bit 0400
        }
        Result r = HostCommand.run(inLab("install", "-D", "-m", Integer.toOctalString(mode), "/dev/stdin", inRoot),
                COMMAND_TIMEOUT, host);
        if (!r.ok()) {
            throw new IOException("cannot copy " + host + " to " + inRoot + " in the lab: " + r.output().strip());
        }
    }

    /** {@code journalctl -u unit}: the unit's lines, systemd's and its own, in the short format. */
    public String journal(String unit) {
        return exec("journalctl", "--no-pager", "--quiet", "-u", unit).output();
    }

    /** The unit's main pid as the lab sees it (0 when it has none: not running). */
    public long mainPid(String unit) {
        Result r = exec("systemctl", "show", "--property=MainPID", "--value", unit);
        if (!r.ok()) {
            throw new IllegalStateException("systemctl show " + unit + ": " + r.output().strip());
        }
        return Long.parseLong(r.output().strip());
    }

    /** Sends {@code signal} ({@code "KILL"}, {@code "STOP"}, ...) to the lab's process {@code pidInLab}. */
    public void signal(long pidInLab, String signal) {
        Result r = exec("kill", "-s", signal, Long.toString(pidInLab));
        if (!r.ok()) {
            throw new IllegalStateException("kill -s " + signal + " " + pidInLab + " in the lab: " + r.output().strip());
        }
    }

    /** What {@code systemctl is-system-running} says now. */
    public String state() {
        return exec("systemctl", "is-system-running").output().strip();
    }

    /** The units systemd lists as failed. */
    public List<String> failedUnits() {
        return exec("systemctl", "--failed", "--no-legend", "--plain").output().lines()
                .map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList();
    }

    /**
     * Powers the lab off ({@code systemctl poweroff}: services get their stop), or kills its PID 1
     * when that does not end it in time; then kills what is left in its cgroup and removes the
     * cgroup and the lab's directory. Idempotent; best effort: it never throws.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (unshare != null && unshare.isAlive() && hostPid != 0) {
                exec(Duration.ofSeconds(10), "systemctl", "poweroff", "--no-block");
                if (!waitFor(unshare, SHUTDOWN_TIMEOUT)) {
                    // PID 1 of a pid namespace: when it dies, the kernel kills every other process in it
                    ProcessHandle.of(hostPid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            if (unshare != null && !waitFor(unshare, Duration.ofSeconds(10))) {
                // a boot that hung before systemd: its mounts go with the namespace once all are dead
                unshare.descendants().forEach(ProcessHandle::destroyForcibly);
                unshare.destroyForcibly();
                waitFor(unshare, Duration.ofSeconds(10));
            }
            removeCgroup(cgroup);
            if (mountedBelow(dir)) {
                return; // never delete through a mount; the next JVM's removeLeftovers() tries again
            }
            HostCommand.removeTree(dir);
        } catch (RuntimeException | IOException e) {
            // best effort, see above: a test must not fail in its cleanup for a leftover
        } finally {
            LIVE.remove(this);
        }
    }

    private static boolean waitFor(Process p, Duration limit) {
        try {
            return p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Removes the labs of test JVMs that are gone (killed before their shutdown hook ran): kills
     * what still runs in their cgroups, removes the cgroups and their directories.
     */
    static void removeLeftovers() throws IOException {
        Optional<Path> root = cgroup2Root();
        if (root.isPresent()) {
            for (Path cg : list(root.get())) {
                String name = cg.getFileName().toString();
                if (name.startsWith(CGROUP_PREFIX) && ownerGone(name.substring(CGROUP_PREFIX.length()))) {
                    removeCgroup(cg);
                }
            }
        }
        for (Path lab : list(LABS)) {
            if (ownerGone(lab.getFileName().toString()) && !mountedBelow(lab)) {
                HostCommand.removeTree(lab);
            }
        }
    }

    private static boolean ownerGone(String id) {
        Matcher m = OURS.matcher(id);
        if (!m.matches()) {
            return false;
        }
        long owner = Long.parseLong(m.group(1));
        return owner != PID && !ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Kills every process in {@code cg} and below, waits until they are gone, removes the cgroups bottom-up. */
    static void removeCgroup(Path cg) throws IOException {
        if (!Files.isDirectory(cg)) {
            return;
        }
        Path kill = cg.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            Files.writeString(kill, "1"); // Linux 5.14+: the whole subtree at once, no pid races
        } else {
            pidsIn(cg).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
        Eventually.within(Duration.ofSeconds(10), () -> "the processes of " + cg + " to exit: " + pidsIn(cg),
                () -> pidsIn(cg).isEmpty());
        List<Path> dirs;
        try (Stream<Path> walk = Files.walk(cg)) {
            dirs = walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path d : dirs) {
            Files.delete(d); // rmdir: an empty cgroup goes, its control files with it
        }
    }

    static List<Long> pidsIn(Path cg) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(cg)) {
            for (Path procs : walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                Files.readAllLines(procs).stream().map(String::strip).filter(s -> !s.isEmpty())
                        .map(Long::parseLong).forEach(pids::add);
            }
        } catch (IOException | UncheckedIOException e) {
            // a cgroup removed while we walk: its processes are gone
        }
        return pids;
    }

    /** Whether the host's mount table has a mount at or below {@code dir}. */
    static boolean mountedBelow(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4].replace("\\040", " ");
            if (point.equals(prefix) || point.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Where the host mounts its cgroup2 tree: {@code /sys/fs/cgroup}, or {@code /sys/fs/cgroup/unified} in hybrid layouts. */
    static Optional<Path> cgroup2Root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] sides = line.split(" - ", 2);
                if (sides.length == 2 && sides[1].startsWith("cgroup2 ")) {
                    return Optional.of(Path.of(sides[0].split(" ")[4]));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Overlayfs when a test mount of it works here, else full copies; probed once. */
    static Copy copyMode() throws IOException {
        Copy known = copyMode;
        if (known == null) {
            Path probe = LABS.resolve(".overlay-probe-" + PID);
            for (String d : List.of("lower", "upper", "work", "merged")) {
                Files.createDirectories(probe.resolve(d));
            }
            String options = "lowerdir=" + probe.resolve("lower") + ",upperdir=" + probe.resolve("upper")
                    + ",workdir=" + probe.resolve("work");
            // in a mount namespace of its own, so the probe's mount is gone when unshare exits
            Result r = HostCommand.run(List.of("unshare", "--mount", "--propagation", "private",
                    "mount", "-t", "overlay", "overlay", "-o", options, probe.resolve("merged").toString()),
                    Duration.ofSeconds(10), null);
            HostCommand.removeTree(probe);
            known = r.ok() ? Copy.OVERLAY : Copy.FULL;
            copyMode = known;
        }
        return known;
    }

    private static Optional<Path> debootstrap() {
        return DEBOOTSTRAP.find().or(() -> onPath("debootstrap"));
    }

    private static Optional<Path> onPath(String tool) {
        return Stream.of(HostCommand.PATH.split(":")).map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst();
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private Path console() {
        return dir.resolve("console.log");
    }

    private String consoleTail() {
        return LocalProgram.tail(console());
    }

    @Override
    public String toString() {
        return "SystemdLab " + id + (report == null ? "" : " " + report);
    }
}
