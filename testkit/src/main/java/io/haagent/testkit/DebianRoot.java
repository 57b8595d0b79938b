package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Debian 12 root a {@link SystemdLab} boots: made once by {@code debootstrap} and cached outside
 * the repository, under {@code /var/cache/haagent-test/bookworm-<key>}, where the key hashes what
 * goes into the root (suite, packages, masks, this class's preparation), so a change to any of them
 * makes a new root instead of reusing a stale one.
 *
 * <p>The root is built under a {@code .partial} name and renamed into place in one step, so a build
 * killed half-way never leaves a root that looks finished; a file lock makes test JVMs that start at
 * once wait for one build. debootstrap runs in a mount namespace of its own: the {@code /proc} and
 * {@code /sys} it mounts into the root during the install vanish with it even when it is killed.
 *
 * <p>Once renamed, the root is never written again: labs boot an overlay (or a copy) of it.
 */
final class DebianRoot {
    static final String SUITE = "bookworm";
    static final List<String> INCLUDES = List.of("systemd", "systemd-sysv", "dbus", "procps", "python3");
    static final Path CACHE = Path.of("/var/cache/haagent-test");
    static final String HOSTNAME = "haagent-lab";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);
    /** Bump when {@link #prepare} changes what it writes: the key changes and the next run builds afresh. */
    private static final String PREPARATION = "1";
    /** Written last before the rename: the build's facts, for the measurements a test reports. */
    static final String STAMP = "etc/haagent-lab-root";

    /** A unit masked in the root (a link to /dev/null), and why a lab cannot or must not run it. */
    record Mask(String unit, String why) {}

    static final List<Mask> MASKED = List.of(
            new Mask("getty@.service", "no terminals in a lab; with the host's /dev it would take the host's tty1"),
            new Mask("serial-getty@.service", "as getty@"),
            new Mask("console-getty.service", "as getty@: the lab has no /dev/console"),
            new Mask("container-getty@.service", "as getty@"),
            new Mask("systemd-modules-load.service", "would load modules into the host's kernel"),
            new Mask("modprobe@.service", "as systemd-modules-load"),
            new Mask("systemd-binfmt.service", "binfmt_misc handlers are the host kernel's, not the lab's"),
            new Mask("proc-sys-fs-binfmt_misc.automount", "as systemd-binfmt"),
            new Mask("sys-kernel-debug.mount", "the host kernel's debugfs; nothing in a lab needs it"),
            new Mask("sys-kernel-tracing.mount", "as sys-kernel-debug"),
            new Mask("sys-kernel-config.mount", "as sys-kernel-debug"),
            new Mask("sys-fs-fuse-connections.mount", "as sys-kernel-debug"),
            new Mask("apt-daily.timer", "would start apt mid-test and hold the dpkg lock a test's dpkg -i needs"),
            new Mask("apt-daily-upgrade.timer", "as apt-daily.timer"),
            new Mask("dpkg-db-backup.timer", "as apt-daily.timer"),
            new Mask("e2scrub_all.timer", "periodic disk jobs; a lab's root is an overlay, not a disk"),
            new Mask("fstrim.timer", "as e2scrub_all.timer"));

    /** How long this JVM's debootstrap and preparation took; empty when the root was already cached. */
    private static volatile Optional<Duration> builtHere = Optional.empty();

    private DebianRoot() {}

    /** Where the root for the current key lives (built or not). */
    static Path path() {
        return CACHE.resolve(SUITE + "-" + key());
    }

    static Optional<Duration> builtHere() {
        return builtHere;
    }

    /** What {@link #STAMP} says of the build that made the cached root ("" when unreadable). */
    static String stamp() {
        try {
            return Files.readString(path().resolve(STAMP), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The cached root, built first when missing (a minute or so: debootstrap fetches ~50 MB from
     * {@code mirror}).
     *
     * @param debootstrap the program; only run when the root must be built
     * @param mirror where to fetch from; only read when the root must be built
     */
    static synchronized Path cached(Optional<Path> debootstrap, Optional<String> mirror) throws IOException {
        Path root = path();
        if (Files.isRegularFile(root.resolve(STAMP))) {
            return root;
        }
        Files.createDirectories(CACHE);
        try (FileChannel ch = FileChannel.open(CACHE.resolve(root.getFileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = awaitLock(ch)) {
            if (!Files.isRegularFile(root.resolve(STAMP))) { // another JVM may have built it while we waited
                build(root, debootstrap.orElseThrow(() -> new IllegalStateException(
                        "no debootstrap: cannot build " + root)), mirror.orElseThrow(() -> new IllegalStateException(
                        "no deb line for " + SUITE + " in this machine's apt sources: cannot debootstrap " + root)));
            }
        }
        return root;
    }

    private static FileLock awaitLock(FileChannel ch) {
        return Eventually.get(BUILD_TIMEOUT, "another test JVM's debootstrap of " + path(),
                () -> Optional.ofNullable(ch.tryLock()));
    }

    private static void build(Path root, Path debootstrap, String mirror) throws IOException {
        String partialPrefix = "." + root.getFileName() + ".partial-";
        try (Stream<Path> s = Files.list(CACHE)) {
            // We hold the lock, so these are builds that were killed: their mounts died with them.
            s.filter(p -> p.getFileName().toString().startsWith(partialPrefix)).forEach(HostCommand::removeTree);
        }
        Path partial = CACHE.resolve(partialPrefix + ProcessHandle.current().pid());
        long start = System.nanoTime();
        SystemdLab.Result r = HostCommand.run(List.of("unshare", "--mount", "--propagation", "private",
                debootstrap.toString(), "--variant=minbase", "--include=" + String.join(",", INCLUDES), SUITE,
                partial.toString(), mirror), BUILD_TIMEOUT, null);
        if (!r.ok()) {
            String log = tail(partial.resolve("debootstrap/debootstrap.log"));
            HostCommand.removeTree(partial);
            throw new IllegalStateException("debootstrap of " + SUITE + " into " + partial + " exited with "
                    + r.exitCode() + ":\n" + lastLines(r.output()) + "\ndebootstrap.log:\n" + log);
        }
        prepare(partial);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Files.writeString(partial.resolve(STAMP), "debootstrap and preparation took " + took.toSeconds()
                + " s; packages " + String.join(",", INCLUDES) + "; key " + key() + "\n");
        Files.move(partial, root, StandardCopyOption.ATOMIC_MOVE);
        builtHere = Optional.of(took);
    }

    /** What every lab needs in the root and is the same for all of them; see {@link SystemdLab} for why. */
    private static void prepare(Path root) throws IOException {
        Path units = root.resolve("etc/systemd/system");
        for (Mask m : MASKED) {
            Path link = units.resolve(m.unit());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("/dev/null"));
        }
        Path defaultTarget = units.resolve("default.target");
        Files.deleteIfExists(defaultTarget);
        // multi-user, not graphical: nothing a lab runs waits for a display
        Files.createSymbolicLink(defaultTarget, Path.of("/lib/systemd/system/multi-user.target"));
        // debootstrap copies the host's: a lab is not the host
        Files.writeString(root.resolve("etc/hostname"), HOSTNAME + "\n");
        Files.writeString(root.resolve("etc/hosts"), "127.0.0.1 localhost\n127.0.1.1 " + HOSTNAME
                + "\n::1 localhost ip6-localhost ip6-loopback\n");
        // each lab writes its own; empty here, so that no two labs share debootstrap's
        Files.writeString(root.resolve("etc/machine-id"), "");
        // the downloaded packages are installed; 47 MB less to keep
        try (Stream<Path> s = Files.list(root.resolve("var/cache/apt/archives"))) {
            for (Path deb : s.filter(p -> p.toString().endsWith(".deb")).toList()) {
                Files.delete(deb);
            }
        }
    }

    static String key() {
        StringBuilder what = new StringBuilder(SUITE).append('|').append(String.join(",", INCLUDES)).append('|');
        MASKED.forEach(m -> what.append(m.unit()).append(','));
        what.append('|').append(PREPARATION);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(what.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String tail(Path log) {
        try {
            return Files.exists(log) ? lastLines(Files.readString(log, StandardCharsets.ISO_8859_1)) : "(none)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lastLines(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
