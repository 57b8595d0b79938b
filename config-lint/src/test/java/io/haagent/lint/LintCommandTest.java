package io.haagent.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LintCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = LintCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static final String CLEAN = "checks:\n  web: { type: tcp, address: \"127.0.0.1:80\" }\n";
    private static final String WARNING = "checks:\n  redis: { type: redis, password: hunter2 }\n";
    private static final String ERROR = "checks:\n  web: { type: tcp, address: \"127.0.0.1:80\", rise: 0 }\n";

    @Test
    void exitCodes_followTheWorstFinding() throws IOException {
        assertEquals(0, run(write("clean.yaml", CLEAN).toString()).exit());
        assertEquals(0, run(write("warn.yaml", WARNING).toString()).exit(), "warnings do not fail");
        assertEquals(1, run(write("err.yaml", ERROR).toString()).exit());
        assertEquals(1, run(dir.resolve("clean.yaml").toString(), dir.resolve("err.yaml").toString()).exit());
    }

    @Test
    void usageErrorsAndUnreadableFiles_exitTwo_andStillLintTheRest() throws IOException {
        assertEquals(2, run().exit());
        assertEquals(2, run("--format", "xml", "x.yaml").exit());
        assertEquals(2, run("--frobnicate", "x.yaml").exit());
        Run missing = run(write("err.yaml", ERROR).toString(), dir.resolve("missing.yaml").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.out().contains(dir.resolve("missing.yaml") + ":1:1: error: cannot read it: no such file"), missing.out());
        assertTrue(missing.out().contains("[value.range]"), "the readable file is still linted");
        Run directory = run(dir.toString());
        assertEquals(2, directory.exit());
        assertTrue(directory.out().contains("it is a directory"), directory.out());
        Path binary = Files.write(dir.resolve("bin.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x00});
        assertTrue(run(binary.toString()).out().contains("not UTF-8 text"));
        assertEquals(0, run("--help").exit());
    }

    @Test
    void anUnreadableFile_isAFinding_inEveryFormat() {
        // Issue 12: --format json printed "[ ]" and github nothing, exit 2; only text users saw why (on stderr).
        Path gone = dir.resolve("gone.yaml");
        Run text = run(gone.toString());
        assertEquals(2, text.exit());
        assertEquals(gone + ":1:1: error: cannot read it: no such file [config.unreadable]\n", text.out());
        Run json = run("--format", "json", gone.toString());
        assertEquals(2, json.exit());
        assertTrue(json.out().contains("\"rule\" : \"config.unreadable\""), json.out());
        assertTrue(json.out().contains("\"message\" : \"cannot read it: no such file\""), json.out());
        Run github = run("--format", "github", gone.toString());
        assertEquals(2, github.exit());
        assertEquals("::error file=" + gone.toString().replace(":", "%3A") + ",line=1,col=1,title=config.unreadable"
                + "::cannot read it: no such file\n", github.out());
    }

    @Test
    void textFormat_isFileLineColSeverityMessageRule() throws IOException {
        Path f = write("err.yaml", ERROR);
        Run r = run(f.toString());
        assertEquals(f + ":2:52: error: checks.web.rise: 0 is out of range; use 1-1000 [value.range]\n", r.out());
        assertTrue(r.err().contains("1 file, 1 error, 0 warnings"), r.err());
    }

    @Test
    void jsonFormat_isAnArrayWithTheSameFields() throws IOException {
        Path f = write("err.yaml", ERROR);
        Run r = run("--format=json", f.toString());
        assertEquals(1, r.exit());
        List<Map<String, String>> findings = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(r.out())) {
            assertEquals(JsonToken.START_ARRAY, p.nextToken());
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Map<String, String> m = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    p.nextToken();
                    m.put(k, p.getText());
                }
                findings.add(m);
            }
        }
        assertEquals(List.of(Map.of("file", f.toString(), "line", "2", "column", "52", "severity", "error",
                "rule", "value.range", "message", "checks.web.rise: 0 is out of range; use 1-1000")), findings);
        assertEquals("[ ]", run("--format", "json", write("clean.yaml", CLEAN).toString()).out().strip());
    }

    @Test
    void githubFormat_isAnnotations_withPropertiesEscaped() throws IOException {
        Path f = write("a,b.yaml", ERROR);
        Run r = run("--format", "github", f.toString());
        String file = f.toString().replace(":", "%3A").replace(",", "%2C");
        assertEquals("::error file=" + file + ",line=2,col=52,title=value.range::checks.web.rise: 0 is out of range; use 1-1000\n",
                r.out());
    }

    @Test
    void unknownReference_listsTheDeclaredNames_inDeclarationOrder_everyRun() throws IOException {
        // Issue 12: the "use one of" list came from Set.copyOf, whose order changes from JVM to JVM.
        List<String> names = List.of("zulu", "alpha", "mike", "bravo", "yankee", "charlie", "xray", "delta", "whiskey");
        StringBuilder yaml = new StringBuilder("checks:\n");
        names.forEach(n -> yaml.append("  ").append(n).append(": { type: tcp, address: \"127.0.0.1:80\" }\n"));
        yaml.append("services:\n  web: { process: { command: [/bin/true] }, checks: [nothing_like_these_at_all] }\n");
        Run r = run(write("refs.yaml", yaml.toString()).toString());
        assertTrue(r.out().contains("use one of: " + String.join(", ", names) + " [ref.unknown-check]"), r.out());
    }

    @Test
    void anInlineAdminToken_isAnError_thatSaysWhyItMustBeAFile() throws IOException {
        // Issue 12: the reference said inline secrets work everywhere (with a warning); node.admin.token did not.
        Run r = run(write("token.yaml", "node:\n  admin: { token: s3cret }\n").toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().endsWith(":2:12: error: node.admin.token: the admin token is read from a file only, as haagent "
                + "reload reads the same file; put it in a file with mode 0600 and name that in token_file "
                + "[schema.unknown-key]\n"), r.out());
        assertTrue(Files.readString(Path.of("../docs/config-reference.md")).contains("except `node.admin.token`"));
    }

    @Test
    void secretFileMode_warnsWhenGroupOrOthersCanRead() throws IOException {
        Path secret = write("redis.pass", "hunter2\n");
        Path config = write("c.yaml", "checks:\n  redis: { type: redis, password_file: " + secret + " }\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
        Run loose = run(config.toString());
        assertEquals(0, loose.exit());
        assertTrue(loose.out().contains("readable by its group; run chmod 600 " + secret + " [secret.file-mode]"), loose.out());
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        assertEquals("", run(config.toString()).out());
    }

    @Test
    void hostChecks_lookAtThisMachine() throws IOException {
        Path token = write("admin.token", "t");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        String fits = "node: { admin: { token_file: " + token + " } }\n"
                + "vrrp:\n  vip: { vrid: 9, interface: lo, unicast: { source: 127.0.0.1, peers: [127.0.0.2] } }\n";
        Path good = write("fits.yaml", fits);
        assertEquals("", run("--host", good.toString()).out());
        Path bad = write("elsewhere.yaml", fits.replace(token.toString(), dir.resolve("gone.token").toString())
                .replace("interface: lo", "interface: nosuch0").replace("source: 127.0.0.1", "source: 192.0.2.77"));
        Run r = run("--host", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("[host.file-missing]"), r.out());
        assertTrue(r.out().contains("[host.interface-missing]"), r.out());
        assertTrue(r.out().contains("[host.source-not-local]"), r.out());
        assertEquals(0, run(bad.toString()).exit(), "without --host the machine is not consulted");
    }

    @Test
    void hostChecks_theProgramOfAProcess_mustExistAndBeExecutable_foundOnPathLikeTheSupervisor() throws IOException {
        // Issue 12: process.command /usr/bin/nonexistent passed --host; the daemon then burnt its restarts in 0.3 s.
        Path script = write("app.sh", "#!/bin/sh\n");
        String yaml = "services:\n"
                + "  a: { process: { command: [/usr/bin/nonexistent] } }\n"
                + "  b: { process: { command: [" + script + ", --port, \"80\"] } }\n"
                + "  c: { process: { command: [no-such-program-issue-12] } }\n"
                + "  d: { process: { command: [sh, -c, \"exec sleep 1\"] } }\n"
                + "  e: { process: { command: [/bin/true] } }\n"
                + "  f: { process: { command: [sh], env: { PATH: " + dir + " } } }\n";
        Run r = run("--host", write("procs.yaml", yaml).toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(0).endsWith(":2:29: error: services.a.process.command[0]: /usr/bin/nonexistent does not exist on "
                + "this host, so the service could not start; install the program there or fix the path [host.file-missing]"),
                lines.get(0));
        assertTrue(lines.get(1).endsWith("services.b.process.command[0]: " + script + " is not executable here, so the service "
                + "could not start; run chmod +x " + script + " [host.not-executable]"), lines.get(1));
        assertTrue(lines.get(2).contains("services.c.process.command[0]: 'no-such-program-issue-12' is not in PATH "),
                lines.get(2));
        assertTrue(lines.get(2).endsWith("; install it, or give its absolute path [host.file-missing]"), lines.get(2));
        assertTrue(lines.get(3).contains("services.f.process.command[0]: 'sh' is not in PATH " + dir + " (the service's env)"),
                lines.get(3));
        assertEquals(0, run("--host", write("procs-ok.yaml", yaml.replace("[/usr/bin/nonexistent]", "[/bin/true]")
                .replace(script + ",", "/bin/true,").replace("no-such-program-issue-12", "true")
                .replace("env: { PATH: " + dir + " }", "env: { PATH: /bin }")).toString()).exit());
    }

    @Test
    void aFileOverTheSizeLimit_isNotRead_andGetsOneFinding() throws IOException {
        // Hostile run, issue 10 §3.6: a 50 MB config of comments linted OK, at 400 MB resident.
        Path big = write("big.yaml", CLEAN + "#".repeat(ConfigFile.MAX_BYTES - CLEAN.length()) + "\n");
        Run r = run(big.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(big + ":1:1: error: it is " + (ConfigFile.MAX_BYTES + 1) + " bytes, more than the 4194304 bytes (4 MiB) "
                + "a config may have, so it is not read; a real config is kilobytes: check that this is the config file, "
                + "and take out what is not config [config.too-large]\n", r.out());
        Run json = run("--format", "json", big.toString());
        assertTrue(json.out().contains("\"rule\" : \"config.too-large\""), json.out());
        Path atTheLimit = write("fits.yaml", CLEAN + "#".repeat(ConfigFile.MAX_BYTES - CLEAN.length() - 1) + "\n");
        assertEquals(0, run(atTheLimit.toString()).exit(), "a file of exactly the limit is read");
    }
}
