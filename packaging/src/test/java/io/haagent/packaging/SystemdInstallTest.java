package io.haagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.Eventually;
import io.haagent.testkit.SystemdLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built .deb installed with dpkg on a Debian 12 with systemd as PID 1 (testkit's SystemdLab), driven as an
 * operator would: install (enabled, started, the daemon answers), kill -9 (restarted), an upgrade to a newer version
 * (the same content repacked with a higher Version:) with a config the new version lints clean (restarted) and with
 * one it refuses (the old daemon keeps running; a restart is then refused with the finding in the journal), remove
 * (the edited conffile stays) and purge.
 * The unit is the shipped one (Type=notify: dpkg -i returns once the daemon said READY=1); the watchdog case
 * shortens WatchdogSec with a drop-in, as an operator would with systemctl edit.
 */
class SystemdInstallTest {
    private static final Duration DPKG = Duration.ofMinutes(3);
    /** A JVM stopped with SIGSTOP pings no more: systemd restarts it once this passed. */
    private static final String SHORT_WATCHDOG = """
            [Service]
            WatchdogSec=3s
            """;

    @Test
    void install_upgrade_remove_purge(@TempDir Path tmp) throws Exception {
        SystemdLab.unavailableReason().ifPresent(Assumptions::abort);
        Path deb = Built.deb();
        Path dropIn = Files.writeString(tmp.resolve("watchdog.conf"), SHORT_WATCHDOG);
        try (SystemdLab lab = SystemdLab.boot()) {
            lab.copyIn(deb, "/tmp/haagent.deb");

            SystemdLab.Result installed = lab.exec(DPKG, "dpkg", "-i", "/tmp/haagent.deb");
            assertTrue(installed.ok(), installed.output());
            assertEquals("enabled", lab.exec("systemctl", "is-enabled", "haagent").output().strip());
            // systemd's own reading of the unit: an unknown directive or a bad value would be printed here
            // (--man=no: the lab's minimal Debian has no man to look Documentation=man:haagent(8) up with)
            SystemdLab.Result verified = lab.exec("systemd-analyze", "verify", "--man=no",
                    "/lib/systemd/system/haagent.service");
            assertEquals(new SystemdLab.Result(0, ""), verified);
            answersStatus(lab);
            assertEquals("750", lab.exec("stat", "-c", "%a", "/var/lib/haagent").output().strip());
            assertEquals("600", lab.exec("stat", "-c", "%a", "/etc/haagent/admin.token").output().strip());
            // the link reads as the host sees it (the lab's root directory, then the lab's path)
            String java = lab.exec("readlink", "/proc/" + lab.mainPid("haagent") + "/exe").output().strip();
            assertTrue(java.endsWith("/usr/lib/haagent/runtime/bin/java"), "the package's own runtime: " + java);
            // postinst made lint's AOT cache for the installed jars (in the background): root's lint starts from it
            Eventually.within(Duration.ofSeconds(60), "lint's AOT cache in /var/cache/haagent",
                    () -> lab.exec("sh", "-c", "ls /var/cache/haagent/aot-*-lint.aot").ok());
            SystemdLab.Result lint = lab.exec("env", "HAAGENT_JAVA_OPTS=-Xlog:aot=info", "haagent", "lint",
                    "/etc/haagent/haagent.yaml");
            assertTrue(lint.output().contains("Opened AOT cache /var/cache/haagent/aot-"), lint.output());
            assertFalse(lint.output().contains("Unable to use"), lint.output());
            // postinst made the daemon's AOT cache (haagent aot-cache) before the start: the daemon maps it
            SystemdLab.Result maps = lab.exec("grep", "/var/cache/haagent/aot-",
                    "/proc/" + lab.mainPid("haagent") + "/maps");
            assertTrue(maps.output().contains("-run.aot"), () -> maps.output() + lab.journal("haagent"));
            // nothing of the launcher's (its background cache making) stays behind in the unit's control group
            assertFalse(lab.journal("haagent").contains("Found left-over process"), lab.journal("haagent"));

            // kill -9: Restart=on-failure brings a new daemon
            long killed = lab.mainPid("haagent");
            lab.signal(killed, "KILL");
            Eventually.within(Duration.ofSeconds(60), "a new daemon after kill -9",
                    () -> lab.mainPid("haagent") != 0 && lab.mainPid("haagent") != killed);
            answersStatus(lab);

            // upgrade to a newer version: lint passes, so a new daemon (a planned restart: ctl agent restart, exit 75,
            // RestartForceExitStatus)
            String old = installedVersion(lab);
            Later newer = laterVersion(lab, "+1");
            long before = lab.mainPid("haagent");
            SystemdLab.Result upgraded = lab.exec(DPKG, "dpkg", "-i", newer.path());
            assertTrue(upgraded.ok(), upgraded.output());
            answersStatus(lab);
            assertNotEquals(before, lab.mainPid("haagent"), "restarted after the upgrade");
            assertEquals(newer.version(), installedVersion(lab), "dpkg -s: the new version is installed");
            assertTrue(lab.journal("haagent").contains("agent restart asked by operator (reason upgrade from " + old
                    + ")"), lab.journal("haagent"));

            // SIGSTOP: the loops stop, so do the WATCHDOG=1 pings, and systemd restarts the daemon
            lab.copyIn(dropIn, "/etc/systemd/system/haagent.service.d/watchdog.conf");
            assertTrue(lab.exec("systemctl", "daemon-reload").ok());
            assertTrue(lab.exec("systemctl", "restart", "haagent").ok(), () -> lab.journal("haagent"));
            answersStatus(lab);
            long frozen = lab.mainPid("haagent");
            lab.signal(frozen, "STOP");
            Eventually.within(Duration.ofSeconds(60), () -> "a new daemon after the watchdog fired: "
                    + lab.journal("haagent"), () -> lab.mainPid("haagent") != 0 && lab.mainPid("haagent") != frozen);
            answersStatus(lab);
            assertTrue(lab.journal("haagent").contains("Watchdog timeout"), lab.journal("haagent"));
            assertTrue(lab.exec("rm", "/etc/systemd/system/haagent.service.d/watchdog.conf").ok());
            assertTrue(lab.exec("systemctl", "daemon-reload").ok());

            // an upgrade onto a config the new version refuses: the old daemon stays, and dpkg says why
            lab.exec("sh", "-c", "printf 'checks:\\n  broken: { type: nosuch }\\n' >>/etc/haagent/haagent.yaml");
            long running = lab.mainPid("haagent");

            // systemctl reload onto it: ExecReload (haagent reload, which lints first) fails the reload with the
            // finding in the journal; the daemon keeps running on the config it had
            SystemdLab.Result reload = lab.exec("systemctl", "reload", "haagent");
            assertFalse(reload.ok(), () -> "reload of a broken config: " + reload.output());
            assertTrue(lab.journal("haagent").contains("nosuch"), lab.journal("haagent"));
            assertEquals("active", lab.exec("systemctl", "is-active", "haagent").output().strip());
            assertEquals(running, lab.mainPid("haagent"), "the same daemon, not restarted");
            Later refusing = laterVersion(lab, "+2");
            SystemdLab.Result refused = lab.exec(DPKG, "dpkg", "-i", "--force-confold", refusing.path());
            assertTrue(refused.ok(), refused.output());
            assertTrue(refused.output().contains("does not pass this version's lint"), refused.output());
            assertTrue(refused.output().contains("nosuch"), "the findings: " + refused.output());
            assertTrue(refused.output().contains("(" + newer.version() + ")"), "names the running version: " + refused.output());
            assertEquals(refusing.version(), installedVersion(lab), "dpkg -s: installed, though not running");
            assertEquals(running, lab.mainPid("haagent"), "the old daemon keeps running");

            // a restart onto that config: ExecStartPre's lint refuses it, the finding in the journal
            assertFalse(lab.exec("systemctl", "restart", "haagent").ok(), "restart with a broken config");
            assertTrue(lab.journal("haagent").contains("nosuch"), lab.journal("haagent"));

            SystemdLab.Result removed = lab.exec(DPKG, "dpkg", "-r", "haagent");
            assertTrue(removed.ok(), removed.output());
            assertEquals("inactive", lab.exec("systemctl", "is-active", "haagent").output().strip(),
                    () -> "stopped cleanly, not failed: " + lab.journal("haagent"));
            assertFalse(lab.exec("test", "-e", "/usr/bin/haagent").ok(), "the program is gone");
            assertTrue(lab.exec("grep", "-q", "nosuch", "/etc/haagent/haagent.yaml").ok(),
                    "remove keeps the edited conffile");
            assertFalse(lab.exec("test", "-e", "/etc/systemd/system/multi-user.target.wants/haagent.service").ok(),
                    "remove disabled it");

            SystemdLab.Result purged = lab.exec(DPKG, "dpkg", "--purge", "haagent");
            assertTrue(purged.ok(), purged.output());
            assertFalse(lab.exec("test", "-e", "/etc/haagent").ok(), "purge removed /etc/haagent");
            assertFalse(lab.exec("test", "-e", "/var/lib/haagent").ok(), "purge removed the state");
        }
    }

    /**
     * {@code apt upgrade haagent} to a newer version does not restart the applications: the new postinst lints the
     * config and asks the old agent to restart (ctl agent restart, exit 75, KillMode=process), which leaves its
     * children running, and the new one adopts them. Issue 13: this "upgrade" reinstalled the same version.
     */
    @Test
    void upgrade_toANewerVersion_keepsTheSupervisedApplicationRunning() throws Exception {
        SystemdLab.unavailableReason().ifPresent(Assumptions::abort);
        Path deb = Built.deb();
        try (SystemdLab lab = SystemdLab.boot()) {
            lab.copyIn(deb, "/tmp/haagent.deb");
            SystemdLab.Result installed = lab.exec(DPKG, "dpkg", "-i", "/tmp/haagent.deb");
            assertTrue(installed.ok(), installed.output());
            answersStatus(lab);
            long killed = lab.mainPid("haagent");
            lab.signal(killed, "KILL");
            Eventually.within(Duration.ofSeconds(60), "a new daemon after kill -9",
                    () -> lab.mainPid("haagent") != 0 && lab.mainPid("haagent") != killed);
            answersStatus(lab);

            // a supervised application, added the way an operator would: edit, systemctl reload
            lab.exec("sh", "-c", "printf 'services:\\n  app:\\n    process: { command: [/bin/sleep, \"3600\"] }\\n'"
                    + " >>/etc/haagent/haagent.yaml");
            SystemdLab.Result reloaded = lab.exec("systemctl", "reload", "haagent");
            assertTrue(reloaded.ok(), () -> reloaded.output() + lab.journal("haagent"));
            Eventually.within(Duration.ofSeconds(60), () -> "app running: " + lab.exec("haagent", "status").output()
                    + lab.journal("haagent"), () -> appPid(lab) > 0);
            long app = appPid(lab);

            String old = installedVersion(lab);
            Later newer = laterVersion(lab, "+1");
            long before = lab.mainPid("haagent");
            SystemdLab.Result upgraded = lab.exec(DPKG, "dpkg", "-i", newer.path());
            assertTrue(upgraded.ok(), upgraded.output());
            Eventually.within(Duration.ofSeconds(60), () -> "a new daemon: " + lab.journal("haagent"),
                    () -> lab.mainPid("haagent") != 0 && lab.mainPid("haagent") != before);
            answersStatus(lab);
            assertEquals(newer.version(), installedVersion(lab), "dpkg -s: the new version is installed");
            // the new postinst linted the config (it restarts only when that passes), then asked the old agent
            assertTrue(lab.journal("haagent").contains("agent restart asked by operator (reason upgrade from " + old
                    + ")"), lab.journal("haagent"));
            assertEquals(app, appPid(lab), () -> "the application kept running: " + lab.journal("haagent"));
            assertTrue(lab.journal("haagent").contains("adopted pid " + app), lab.journal("haagent"));
        }
    }

    /** A later version of the built package in the lab: where, and dpkg's version. */
    private record Later(String path, String version) {}

    /**
     * The built package again as version VERSION{@code suffix} ("+1" sorts after VERSION for dpkg), repacked in the
     * lab by Debian's own dpkg-deb from the same content: a genuine upgrade for dpkg and the maintainer scripts,
     * though the jars inside still say the same version (so the tests tell the versions apart by dpkg's).
     */
    private static Later laterVersion(SystemdLab lab, String suffix) {
        String version = lab.exec("dpkg-deb", "-f", "/tmp/haagent.deb", "Version").output().strip() + suffix;
        String path = "/tmp/haagent" + suffix + ".deb";
        // gzip -1: the jars and the runtime's modules are compressed already, and dpkg-deb's default xz takes a minute
        SystemdLab.Result built = lab.exec(DPKG, "sh", "-ec", "[ -d /tmp/repack ] || dpkg-deb -R /tmp/haagent.deb"
                + " /tmp/repack\nsed -i 's/^Version: .*/Version: " + version + "/' /tmp/repack/DEBIAN/control\n"
                + "dpkg-deb -Zgzip -z1 -b /tmp/repack " + path + " >/dev/null\n");
        assertTrue(built.ok(), built.output());
        assertEquals(version, lab.exec("dpkg-deb", "-f", path, "Version").output().strip());
        String was = lab.exec("dpkg-deb", "-f", "/tmp/haagent.deb", "Version").output().strip();
        assertTrue(lab.exec("dpkg", "--compare-versions", version, "gt", was).ok(), version + " is newer than " + was);
        return new Later(path, version);
    }

    /** The haagent version dpkg has installed ({@code dpkg -s}'s Version:). */
    private static String installedVersion(SystemdLab lab) {
        SystemdLab.Result r = lab.exec("dpkg-query", "-W", "-f=${Version}", "haagent");
        assertTrue(r.ok(), r.output());
        return r.output().strip();
    }

    /** The pid of the supervised sleep inside the lab, 0 while there is none (or more than one). */
    private static long appPid(SystemdLab lab) {
        String out = lab.exec("pgrep", "-x", "sleep").output().strip();
        return out.isEmpty() || out.contains("\n") ? 0 : Long.parseLong(out);
    }

    /** haagent status through the daemon's admin API: the service is up and answering, not just forked. */
    private static void answersStatus(SystemdLab lab) {
        // Active too, not just answering: until READY=1 the unit is activating, and systemd folds a reload asked
        // then into the start job (it runs no ExecReload), so the daemon would never see the edit.
        Eventually.within(Duration.ofSeconds(60), () -> "haagent status answers and the unit is active: "
                + lab.exec("haagent", "status").output() + lab.journal("haagent"),
                () -> lab.exec("haagent", "status").ok()
                        && lab.exec("systemctl", "is-active", "haagent").output().strip().equals("active"));
    }
}
