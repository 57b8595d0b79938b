package io.haagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.Eventually;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package's program run from an unpacked copy (dpkg-deb --extract; nothing installed on this host), with
 * no JDK it could find: what runs is its own runtime.
 */
class UnpackedPackageTest {
    @TempDir
    static Path root;
    private static Path launcher;
    /** No JAVA_HOME, no JDK in the JVM directory, only the system's old java on PATH: jdk25.sh would give up. */
    private static final Map<String, String> NO_JDK = Map.of("JAVA_HOME", "", "HAAGENT_JVM_DIR", "/nonexistent",
            "PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "HAAGENT_CDS", "off");

    @BeforeAll
    static void unpack() throws Exception {
        Program.output("dpkg-deb", "--extract", Built.deb().toString(), root.toString());
        launcher = root.resolve("usr/lib/haagent/bin/haagent");
    }

    @Test
    void version_runsOnTheBundledRuntime() throws Exception {
        Program r = Program.run(NO_JDK, launcher.toString(), "version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("haagent "), r.out());
    }

    @Test
    void shortCommand_makesItsAotCacheOnItsFirstRun_andStartsFromItAfterwards(@TempDir Path cache) throws Exception {
        Map<String, String> env = new HashMap<>(NO_JDK);
        env.put("HAAGENT_CDS", "on");
        env.put("HAAGENT_CACHE_DIR", cache.toString());

        Program first = Program.run(env, launcher.toString(), "version");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().matches("haagent \\S+ \\(\\S+\\)\\n"), "only the version, nothing of the JVM's: " + first.out());
        assertEquals("", first.err());

        // made in the background from the first run's record, then moved into place whole
        Path made = Eventually.get(Duration.ofSeconds(60), "an AOT cache for version in " + cache, () -> {
            try (Stream<Path> files = Files.list(cache)) {
                return files.filter(f -> f.getFileName().toString().endsWith("-version.aot")).findFirst();
            }
        });

        env.put("HAAGENT_JAVA_OPTS", "-Xlog:aot=info:stderr");
        Program second = Program.run(env, launcher.toString(), "version");
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.err().contains("Opened AOT cache " + made), second.err());
        assertFalse(second.err().contains("Unable to use"), second.err());
    }

    /**
     * {@code haagent aot-cache} (what postinst runs) trains the daemon on loopback and leaves the cache {@code run}
     * then maps: the JVM's own mapping of the file is the proof it is used, not a log line.
     */
    @Test
    void aotCache_makesTheDaemonsCache_andRunStartsFromIt(@TempDir Path cache, @TempDir Path work, @TempDir Path tmp)
            throws Exception {
        Map<String, String> env = new HashMap<>(NO_JDK);
        env.put("HAAGENT_CDS", "on");
        env.put("HAAGENT_CACHE_DIR", cache.toString());
        env.put("TMPDIR", tmp.toString()); // where the training's config and state go

        Program made = Program.run(env, launcher.toString(), "aot-cache");

        assertEquals(0, made.exit(), made.out() + made.err());
        Path file = Path.of(made.out().strip());
        assertEquals(cache, file.getParent(), made.out());
        assertTrue(file.getFileName().toString().endsWith("-run.aot"), made.out());
        assertTrue(Files.size(file) > 0, file.toString());
        try (Stream<Path> files = Files.list(cache)) {
            assertEquals(List.of(file), files.filter(f -> !f.getFileName().toString().endsWith("-lint.aot")).toList(),
                    "nothing left of the training (record, partial cache)");
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the training's directory (in TMPDIR) is removed");
        }

        Process daemon = startDaemon(env, work);
        try {
            Path maps = Path.of("/proc/" + daemon.pid() + "/maps");
            Eventually.within(Duration.ofSeconds(30), () -> "the daemon maps " + file + "; its log: " + log(work),
                    () -> daemon.isAlive() && Files.readString(maps).contains(file.toString()));
        } finally {
            daemon.destroy();
            daemon.waitFor();
        }
        assertFalse(log(work).contains("[aot]"), "no warning about the cache: " + log(work));
    }

    /**
     * "Loads only what the config uses" (README, Footprint), from start to stop: a config without
     * {@code coordination.zookeeper}, AWS steps or mail loads no class of Curator, ZooKeeper, the AWS SDK or
     * Jakarta Mail. The stop loaded Curator's (closing a ZooKeeper session that was never opened), which also made
     * that jar one the daemon cannot run without.
     */
    @Test
    void run_withoutZookeeperAwsOrMail_loadsNoneOfTheirClasses_fromStartToStop(@TempDir Path work) throws Exception {
        Map<String, String> env = new HashMap<>(NO_JDK);
        Path loaded = work.resolve("classes.log");
        env.put("HAAGENT_JAVA_OPTS", "-Xlog:class+load=info:file=" + loaded);

        Process daemon = startDaemon(env, work);
        try {
            Eventually.within(Duration.ofSeconds(30), () -> "the daemon's first check round; its log: " + log(work),
                    () -> daemon.isAlive() && log(work).contains("check gate: UNKNOWN -> UP"));
        } finally {
            daemon.destroy(); // SIGTERM: the daemon's own stop
            assertTrue(daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "stopped");
        }

        assertEquals(143, daemon.exitValue(), log(work));
        List<String> foreign = Files.readAllLines(loaded).stream()
                .filter(l -> l.matches(".* (org\\.apache\\.curator|org\\.apache\\.zookeeper|software\\.amazon\\.awssdk"
                        + "|jakarta\\.mail|org\\.eclipse\\.angus)\\..*"))
                .toList();
        assertEquals(List.of(), foreign);
        assertFalse(log(work).contains("Exception"), log(work));
    }

    /** {@code haagent run} of a config with one command check, through the launcher (which execs the JVM). */
    private static Process startDaemon(Map<String, String> env, Path work) throws IOException {
        int admin;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            admin = free.getLocalPort();
        }
        Path config = Files.writeString(work.resolve("haagent.yaml"), """
                node: { name: unpacked, state_dir: %s, admin: { listen: "127.0.0.1:%d" } }
                checks:
                  gate: { type: command, command: ["true"], interval: 1s, timeout: 500ms }
                """.formatted(work, admin));
        return Program.withEnvironment(new ProcessBuilder(launcher.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("run.log").toFile()), env).start();
    }

    @Test
    void aotCache_withCachesOff_saysSo() throws Exception {
        Program r = Program.run(NO_JDK, launcher.toString(), "aot-cache");

        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("haagent aot-cache: no place for it (HAAGENT_CDS=off"), r.err());
    }

    private static String log(Path work) {
        try {
            return Files.readString(work.resolve("run.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Test
    void shortCommand_whoseJvmCannotStart_saysWhy_alsoOnTheRunThatWouldRecordItsCache(@TempDir Path cache)
            throws Exception {
        Map<String, String> env = new HashMap<>(NO_JDK);
        env.put("HAAGENT_CDS", "on");
        env.put("HAAGENT_CACHE_DIR", cache.toString());
        env.put("HAAGENT_JAVA_OPTS", "-Xmx1k");

        Program r = Program.run(env, launcher.toString(), "version");

        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("heap"), "the JVM's own reason: " + r.out() + r.err());
    }

    @Test
    void javaOpts_withAGlobCharacter_reachTheJvm() throws Exception {
        Map<String, String> env = new HashMap<>(NO_JDK);
        env.put("HAAGENT_JAVA_OPTS", "-Xlog:gc*=info:stderr");

        Program r = Program.run(env, launcher.toString(), "version");

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("[gc"), "-Xlog:gc* must not vanish as an unmatched glob: " + r.err());
    }

    @Test
    void shippedConfig_lintsClean_withTheTokenPostinstWrites(@TempDir Path etc) throws Exception {
        // postinst writes /etc/haagent/admin.token before the first start; here a token in a directory of the
        // test's own stands in for it, and that path is the only change to the shipped config.
        String shipped = Files.readString(root.resolve("etc/haagent/haagent.yaml"));
        assertTrue(shipped.contains("token_file: /etc/haagent/admin.token"), shipped);
        Path token = Files.writeString(etc.resolve("admin.token"), "0123456789abcdef");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------")); // postinst's umask 077
        Path config = Files.writeString(etc.resolve("haagent.yaml"),
                shipped.replace("/etc/haagent/admin.token", token.toString()));

        Program r = Program.run(NO_JDK, launcher.toString(), "lint", "--host", config.toString());

        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("", r.out(), "no findings, not even a warning");
        assertTrue(r.err().contains("0 errors, 0 warnings"), r.err());
    }

    @Test
    void demo_saysWhereItShips() throws Exception {
        Program r = Program.run(NO_JDK, launcher.toString(), "demo");

        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("not in the Debian package"), r.err());
        assertTrue(r.err().contains("tarball"), r.err());
    }

    @Test
    void manPage_rendersWithoutWarnings() throws Exception {
        Path page = root.resolve("usr/share/man/man8/haagent.8.gz");
        Program r = Program.run(Map.of(), "sh", "-c", "gzip -dc \"$0\" | groff -man -Tutf8 -ww -z", page.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
    }

    @Test
    void bashCompletion_offersCommandsFlagsAndCtlSubcommands() throws Exception {
        Path completion = root.resolve("usr/share/bash-completion/completions/haagent");
        String complete = """
                . "$0"
                c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _haagent; echo "${COMPREPLY[*]}"; }
                c haagent ''
                c haagent ctl ''
                c haagent ctl node ''
                c haagent lint --
                c haagent status --
                c haagent run --log-format ''
                """;
        Program r = Program.run(Map.of(), "bash", "-c", complete, completion.toString());

        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("run lint status reload ctl demo version aot-cache help",
                "--config --admin --help restart stop start pause resume node switchover tail",
                "pause resume drain", "--format --host --help", "--admin --config --json", "plain json"),
                r.out().lines().toList());
    }
}
