package io.haagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built .deb as dpkg sees it: its name, control fields, conffiles, maintainer scripts, files and modes. */
class DebPackageTest {
    private static Path deb;
    /** path (as dpkg-deb lists it, "./usr/bin/haagent") to its line: mode, owner, size, date, path. */
    private static final Map<String, String> CONTENTS = new LinkedHashMap<>();

    @BeforeAll
    static void readContents() throws Exception {
        deb = Built.deb();
        for (String line : Program.output("dpkg-deb", "--contents", deb.toString()).split("\n")) {
            String path = line.replaceFirst("^(\\S+\\s+){5}", "").replaceFirst(" -> .*", "");
            CONTENTS.put(path.endsWith("/") && path.length() > 2 ? path.substring(0, path.length() - 1) : path, line);
        }
    }

    @Test
    void name_isDebiansSpellingOfTheVersion_andTheBuildMachinesArchitecture() throws Exception {
        String arch = Program.output("dpkg", "--print-architecture").strip();
        assertEquals("haagent_" + field("Version") + "_" + arch + ".deb", deb.getFileName().toString());
        assertEquals(arch, field("Architecture"));
        assertEquals("haagent", field("Package"));
        // Maven's 0.1.0-SNAPSHOT: ~ sorts before the release, so 0.1.0 upgrades it
        assertTrue(field("Version").matches("[0-9][0-9.]*(~SNAPSHOT)?"), field("Version"));
    }

    @Test
    void depends_onNoJava_theRuntimeIsInside() throws Exception {
        assertEquals("libc6", field("Depends"));
        assertTrue(mode("./usr/lib/haagent/runtime/bin/java").startsWith("-rwxr-xr-x"));
        assertTrue(mode("./usr/lib/haagent/runtime/lib/modules").startsWith("-rw-r--r--"));
        // every child process starts through jspawnhelper: not executable, no supervision
        assertTrue(mode("./usr/lib/haagent/runtime/lib/jspawnhelper").startsWith("-rwxr-xr-x"));
    }

    @Test
    void files_whereTheReadmeSaysTheyAre() {
        assertTrue(mode("./usr/bin/haagent").startsWith("lrwxrwxrwx"), "a link to the launcher: " + mode("./usr/bin/haagent"));
        assertTrue(CONTENTS.get("./usr/bin/haagent").endsWith("-> /usr/lib/haagent/bin/haagent"));
        assertTrue(mode("./usr/lib/haagent/bin/haagent").startsWith("-rwxr-xr-x"));
        assertTrue(mode("./usr/lib/haagent/lib/haagent-agent-" + projectVersion() + ".jar").startsWith("-rw-r--r--"));
        assertTrue(mode("./usr/lib/haagent/VERSION").startsWith("-rw-r--r--"));
        assertTrue(mode("./usr/lib/haagent/lib/daemon.jvm-options").startsWith("-rw-r--r--"));
        assertTrue(mode("./lib/systemd/system/haagent.service").startsWith("-rw-r--r--"));
        assertTrue(mode("./etc/haagent/haagent.yaml").startsWith("-rw-r--r--"));
        assertTrue(mode("./var/lib/haagent").startsWith("drwxr-x---"), "the state directory: 0750");
        assertTrue(mode("./usr/share/doc/haagent/examples/redis-a.yaml").startsWith("-rw-r--r--"));
        assertTrue(mode("./usr/share/doc/haagent/copyright").startsWith("-rw-r--r--"));
        assertTrue(mode("./usr/share/doc/haagent/changelog.Debian.gz").startsWith("-rw-r--r--"));
        assertTrue(mode("./usr/share/haagent/prometheus/haagent-alerts.yml").startsWith("-rw-r--r--"));
        assertTrue(mode("./usr/share/haagent/grafana/haagent.json").startsWith("-rw-r--r--"));
        assertTrue(mode("./usr/share/man/man8/haagent.8.gz").startsWith("-rw-r--r--"));
        assertTrue(mode("./usr/share/bash-completion/completions/haagent").startsWith("-rw-r--r--"));
        CONTENTS.forEach((path, line) -> assertTrue(line.contains(" root/root "), "not owned by root: " + line));
    }

    @Test
    void demo_staysInTheTarball() {
        Optional<String> demo = CONTENTS.keySet().stream()
                .filter(p -> p.contains("/lib/demo") || p.contains("embedded-redis") || p.contains("haagent-demo"))
                .findFirst();
        assertEquals(Optional.empty(), demo, "the demo, its Redis binaries and mail sink are not in the package");
    }

    @Test
    void conffiles_andMaintainerScripts(@TempDir Path control) throws Exception {
        Program.output("dpkg-deb", "--control", deb.toString(), control.toString());
        assertEquals("/etc/haagent/haagent.yaml", Files.readString(control.resolve("conffiles")).strip());
        for (String script : new String[] {"postinst", "prerm", "postrm"}) {
            Path file = control.resolve(script);
            assertTrue(Files.isExecutable(file), script + " must be executable");
            assertTrue(Files.readString(file).startsWith("#!/bin/sh\n"), script + ": POSIX sh");
            assertTrue(Files.readString(file).contains("\nset -e\n"), script + ": set -e");
            Program syntax = Program.run(Map.of(), "sh", "-n", file.toString());
            assertEquals(0, syntax.exit(), script + ": " + syntax.err());
            shellcheck(file);
        }
    }

    @Test
    void unit_isTheOneInTheSources_andHasWhatSystemdNeedsToTrustIt(@TempDir Path data) throws Exception {
        Program.output("dpkg-deb", "--extract", deb.toString(), data.toString());
        String unit = Files.readString(data.resolve("lib/systemd/system/haagent.service"));
        assertEquals(Files.readString(Built.SOURCES.resolve("deb/haagent.service")), unit);
        for (String line : new String[] {"Type=notify", "NotifyAccess=main", "WatchdogSec=30s",
                "ExecStartPre=/usr/bin/haagent lint --host /etc/haagent/haagent.yaml",
                "ExecStart=/usr/bin/haagent run --config /etc/haagent/haagent.yaml",
                "ExecReload=/usr/bin/haagent reload --config /etc/haagent/haagent.yaml",
                "Restart=on-failure", "KillMode=process", "RestartForceExitStatus=75", "SuccessExitStatus=143 75", "StateDirectory=haagent", "StateDirectoryMode=0750",
                "WantedBy=multi-user.target"}) {
            assertTrue(unit.lines().anyMatch(line::equals), "haagent.service lacks " + line);
        }
        String caps = unit.lines().filter(l -> l.startsWith("CapabilityBoundingSet=")).findFirst().orElse("");
        assertTrue(caps.contains("CAP_NET_RAW") && caps.contains("CAP_NET_ADMIN"), caps);
        // hardening that would break the supervised children stays off (see the unit's comments)
        assertFalse(unit.lines().anyMatch(l -> l.matches("(ProtectSystem|PrivateTmp|NoNewPrivileges|"
                + "MemoryDenyWriteExecute)=.*")), "an option that binds the children too");
    }

    private static void shellcheck(Path file) throws Exception {
        boolean installed = Program.run(Map.of(), "sh", "-c", "command -v shellcheck").exit() == 0;
        if (!installed) {
            return; // optional: sh -n above is the floor
        }
        Program r = Program.run(Map.of(), "shellcheck", "--shell=sh", file.toString());
        assertEquals(0, r.exit(), file.getFileName() + ": " + r.out());
    }

    private static String field(String name) throws IOException, InterruptedException {
        return Program.output("dpkg-deb", "--field", deb.toString(), name).strip();
    }

    private static String mode(String path) {
        String line = CONTENTS.get(path);
        assertTrue(line != null, path + " is not in the package");
        return line;
    }

    private static String projectVersion() {
        try {
            return Files.readString(Built.DIST.resolve("VERSION")).strip();
        } catch (IOException e) {
            throw new IllegalStateException("target/haagent/VERSION: run ./mvnw package first", e);
        }
    }
}
