package io.haagent.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.CheckSpec;
import io.haagent.config.HaagentConfig;
import io.haagent.config.load.LoadResult;
import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Rule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: {@code include:} of files, directories and globs, merged at the YAML tree level, with
 * every finding at the file and line where the value that won was written. Real files in a temp dir.
 */
class IncludeTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    private static Linter.Source source(Path p) throws ConfigFile.Unreadable {
        return ConfigFile.read(p);
    }

    private static HaagentConfig clean(Path p) throws ConfigFile.Unreadable {
        Linter.Linted linted = Linter.lint(source(p), Linter.Options.DEFAULT);
        assertEquals(List.of(), linted.findings());
        return linted.config().orElseThrow();
    }

    private static String line(Finding f) {
        return f.file() + ":" + f.at().line() + ":" + f.at().column() + " " + f.rule().id();
    }

    private static List<String> lines(List<Finding> findings) {
        return findings.stream().map(IncludeTest::line).toList();
    }

    private static final String BASE = """
            checks:
              web: { type: tcp, address: "127.0.0.1:80", interval: 5s }
            services:
              web:
                checks: [web]
                restart_command: ["/bin/true"]
            """;

    @Test
    void overlay_overridesAScalar_andAddsAService_theBaseKeepsTheRest() throws IOException, ConfigFile.Unreadable {
        write("base.yaml", BASE);
        Path prod = write("prod.yaml", """
                include: base.yaml
                checks:
                  web: { interval: 2s }
                  api: { type: tcp, address: "127.0.0.1:81" }
                services:
                  api:
                    checks: [api]
                    restart_command: ["/bin/true"]
                """);

        HaagentConfig c = clean(prod);

        CheckSpec.Tcp web = (CheckSpec.Tcp) c.checks().get("web");
        assertEquals(Duration.ofSeconds(2), web.timing().interval(), "the overlay's scalar wins");
        assertEquals("127.0.0.1", web.address().host(), "the base's other keys of the same check stay");
        assertEquals(List.of("web", "api"), List.copyOf(c.checks().keySet()), "the base's keys first, then the new ones");
        assertEquals(List.of("web", "api"), List.copyOf(c.services().keySet()));
        assertEquals(List.of(dir.resolve("base.yaml").toString()), Linter.load(source(prod)).includes());
    }

    @Test
    void directory_isIncludedInNameOrder_laterFilesWin_andOnlyYamlFilesCount() throws IOException, ConfigFile.Unreadable {
        write("conf.d/20-web-fast.yaml", "checks:\n  web: { interval: 1s }\n");
        write("conf.d/10-web.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:80\", interval: 5s }\n");
        write("conf.d/15-api.yml", "checks:\n  api: { type: tcp, address: \"127.0.0.1:81\" }\n");
        write("conf.d/README", "not yaml: [\n");
        write("conf.d/.10-web.yaml.swp", "not yaml: [\n");
        Path main = write("haagent.yaml", "include: conf.d\n");

        HaagentConfig c = clean(main);

        assertEquals(Duration.ofSeconds(1), c.checks().get("web").timing().interval(), "20-web-fast.yaml is merged last");
        assertEquals(List.of("web", "api"), List.copyOf(c.checks().keySet()));
        assertEquals(List.of("10-web.yaml", "15-api.yml", "20-web-fast.yaml"),
                Linter.load(source(main)).includes().stream().map(f -> Path.of(f).getFileName().toString()).toList());
    }

    @Test
    void glob_includesTheMatchingFilesOnly_inNameOrder() throws IOException, ConfigFile.Unreadable {
        write("conf.d/b-web.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:80\", interval: 3s }\n");
        write("conf.d/a-web.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:80\", interval: 9s }\n");
        write("conf.d/web.disabled", "checks:\n  web: { interval: bogus }\n");
        Path main = write("haagent.yaml", "include: [\"conf.d/*.yaml\"]\n");

        assertEquals(Duration.ofSeconds(3), clean(main).checks().get("web").timing().interval());
    }

    @Test
    void missingExplicitFile_isAnErrorAtItsIncludeLine() throws IOException, ConfigFile.Unreadable {
        write("base.yaml", BASE);
        Path prod = write("prod.yaml", "include:\n  - base.yaml\n  - bsae.yaml\n");

        List<Finding> findings = Linter.lint(source(prod), Linter.Options.DEFAULT).findings();

        assertEquals(List.of(prod + ":3:5 include.missing"), lines(findings));
        assertTrue(findings.getFirst().message().contains("bsae.yaml"), findings.getFirst().message());
    }

    @Test
    void globMatchingNothing_isAWarning_soAnEmptyConfDIsFine() throws IOException, ConfigFile.Unreadable {
        write("base.yaml", BASE);
        Files.createDirectories(dir.resolve("conf.d"));
        Path main = write("haagent.yaml", "include: [base.yaml, \"conf.d/*.yaml\", conf.d]\n");

        Linter.Linted linted = Linter.lint(source(main), Linter.Options.DEFAULT);

        assertEquals(List.of(main + ":1:22 include.no-match", main + ":1:39 include.no-match"), lines(linted.findings()));
        assertTrue(linted.config().isPresent(), "a warning does not refuse the config");
    }

    @Test
    void cycle_isAnErrorAtTheIncludeThatClosesIt_namingTheChain() throws IOException, ConfigFile.Unreadable {
        Path a = write("a.yaml", "include: b.yaml\nchecks:\n  web: { type: tcp, address: \"127.0.0.1:80\" }\n");
        Path b = write("b.yaml", "\ninclude: a.yaml\n");

        List<Finding> findings = Linter.lint(source(a), Linter.Options.DEFAULT).findings();

        assertEquals(List.of(b + ":2:10 include.cycle"), lines(findings));
        assertTrue(findings.getFirst().message().contains(a + " -> " + b + " -> " + a), findings.getFirst().message());
    }

    @Test
    void nestingDeeperThanEightFiles_isAnError_atTheIncludeThatGoesTooDeep() throws IOException, ConfigFile.Unreadable {
        for (int i = 1; i <= 9; i++) {
            write("f" + i + ".yaml", "include: f" + (i + 1) + ".yaml\n");
        }
        Path tenth = write("f10.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:80\" }\n");
        Path main = write("haagent.yaml", "include: f1.yaml\n");

        List<Finding> findings = Linter.lint(source(main), Linter.Options.DEFAULT).findings();

        // haagent.yaml -> f1 ... f8 is eight levels; f8's include of f9 is the ninth.
        assertEquals(List.of(main + ":1:1 config.empty", dir.resolve("f8.yaml") + ":1:10 include.cycle"), lines(findings));
        assertTrue(findings.getLast().message().contains("deeper than 8"), findings.getLast().message());
        assertTrue(Files.exists(tenth));
    }

    @Test
    void includedFileNotUtf8_isRefusedInConfigFilesWords_atTheIncludeItem() throws IOException, ConfigFile.Unreadable {
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'#', ' ', (byte) 0xe9, '\n'});
        Path main = write("haagent.yaml", "include: latin1.yaml\nchecks:\n  web: { type: tcp, address: \"127.0.0.1:80\" }\n");

        List<Finding> findings = Linter.lint(source(main), Linter.Options.DEFAULT).findings();

        assertEquals(List.of(main + ":1:10 config.unreadable"), lines(findings));
        assertTrue(findings.getFirst().message().contains(latin1 + ": cannot read it: not UTF-8 text"),
                findings.getFirst().message());
    }

    @Test
    void unknownKeyInAnIncludedFile_isReportedAtThatFilesLine() throws IOException, ConfigFile.Unreadable {
        Path web = write("conf.d/web.yaml", "checks:\n  web:\n    type: tcp\n    address: \"127.0.0.1:80\"\n    intreval: 5s\n");
        Path main = write("haagent.yaml", "# the host's own file\ninclude: conf.d\n");

        List<Finding> findings = Linter.lint(source(main), Linter.Options.DEFAULT).findings();

        assertEquals(List.of(web + ":5:5 schema.unknown-key"), lines(findings));
    }

    @Test
    void syntaxErrorInAnIncludedFile_isReportedInThatFile() throws IOException, ConfigFile.Unreadable {
        Path broken = write("base.yaml", "checks:\n  web: [1, 2\n");
        Path main = write("haagent.yaml", "include: base.yaml\n");

        List<Finding> findings = Linter.lint(source(main), Linter.Options.DEFAULT).findings();

        assertEquals(List.of(broken + ":2:8 yaml.syntax"), lines(findings));
    }

    @Test
    void badValueOverriddenByTheOverlay_isNotReported_onlyTheWinningValueIsJudged() throws IOException, ConfigFile.Unreadable {
        write("base.yaml", BASE.replace("interval: 5s", "interval: 5 seconds"));
        Path prod = write("prod.yaml", "include: base.yaml\nchecks:\n  web: { interval: 5s }\n");

        assertEquals(Duration.ofSeconds(5), clean(prod).checks().get("web").timing().interval());
    }

    @Test
    void crossFieldRule_pointsAtTheFileWhereTheWinningValueIsWritten() throws IOException, ConfigFile.Unreadable {
        Path base = write("base.yaml", BASE);
        Path prod = write("prod.yaml", "include: base.yaml\nchecks:\n  web: { timeout: 9s }\n");

        List<Finding> findings = Linter.lint(source(prod), Linter.Options.DEFAULT).findings();

        // The timeout (9s, the overlay's) is not below the interval (5s, the base's): reported at the timeout.
        assertEquals(List.of(prod + ":3:19 " + Rule.CHECK_TIMEOUT_INTERVAL.id()), lines(findings));
        assertTrue(Files.exists(base));
    }

    @Test
    void fleet_twoHostsIncludingTheSameBase_areLintedAsMerged() throws IOException, ConfigFile.Unreadable {
        Path base = write("base.yaml", "vrrp:\n  vip:\n    vrid: 51\n    advert_interval: 1s\n");
        Path a = write("a.yaml", "include: base.yaml\nvrrp:\n  vip:\n    unicast: { source: 10.0.1.10, peers: [10.0.1.11] }\n");
        Path b = write("b.yaml", "include: base.yaml\nvrrp:\n  vip:\n    priority: 90\n    advert_interval: 2s\n"
                + "    unicast: { source: 10.0.1.11, peers: [10.0.1.10] }\n");

        List<Finding> findings = Linter.lint(List.of(source(a), source(b)), Linter.Options.DEFAULT);

        // a's interval is written in base.yaml; b's overlay changed its own.
        assertEquals(List.of(base + ":4:22 " + Rule.FLEET_ADVERT_MISMATCH.id()), lines(findings));
        assertTrue(findings.getFirst().message().contains("(" + b + ":5)"), findings.getFirst().message());
    }

    @Test
    void fleet_aFindingInASharedBase_isPrintedOnce() throws IOException, ConfigFile.Unreadable {
        Path base = write("base.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:80\", intreval: 5s }\n");
        Path a = write("a.yaml", "include: base.yaml\n");
        Path b = write("b.yaml", "include: base.yaml\n");

        List<Finding> findings = Linter.lint(List.of(source(a), source(b)), Linter.Options.DEFAULT);

        assertEquals(List.of(base + ":2:46 schema.unknown-key"), lines(findings));
    }

    @Test
    void stdin_resolvesItsIncludesAgainstTheCurrentDirectory() {
        LoadResult r = Linter.load(new Linter.Source("-", "include: src/test/resources/lint/good/minimal.yaml\n"));

        assertEquals(List.of(), r.findings());
        assertEquals(List.of("web"), List.copyOf(r.bound().checks().keySet()));
    }

    @Test
    void jsonAndGithubFormats_carryTheIncludedFile() throws IOException {
        Path web = write("conf.d/web.yaml", "checks:\n  web: { type: tcp, address: \"127.0.0.1:80\", intreval: 5s }\n");
        Path main = write("haagent.yaml", "include: conf.d\n");

        assertTrue(lint("--format", "json", main.toString()).contains("\"file\" : \"" + web + "\""));
        assertTrue(lint("--format", "github", main.toString()).startsWith("::error file=" + web + ",line=2,col=46,"));
        assertEquals(web + ":2:46: error: checks.web: unknown key 'intreval'; did you mean 'interval'? [schema.unknown-key]\n",
                lint(main.toString()));
    }

    private static String lint(String... args) {
        var out = new ByteArrayOutputStream();
        LintCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
