package io.haagent.agent.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.lint.LintCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

    /** What one run printed and returned. */
    private record Outcome(int status, String out, String err) {}

    private static Outcome haagent(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status;
        try (var o = new PrintStream(out, true, StandardCharsets.UTF_8);
                var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, o, e);
        }
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Outcome lintDirectly(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status;
        try (var o = new PrintStream(out, true, StandardCharsets.UTF_8);
                var e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = LintCommand.run(args, o, e);
        }
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noArguments_printsUsageOnStderr_exits2() {
        Outcome r = haagent();
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals(Main.USAGE, r.err());
    }

    @Test
    void aotCache_throughJava_saysTheLauncherMakesIt() {
        Outcome r = haagent("aot-cache");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().contains("the launcher makes it; run it as bin/haagent aot-cache"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"help", "--help", "-h"})
    void help_listsEveryCommandOfTheContract_exits0(String help) {
        Outcome r = haagent(help);
        assertEquals(0, r.status());
        assertEquals("", r.err());
        for (String command : new String[] {"run", "lint", "status", "reload", "demo", "version"}) {
            assertTrue(r.out().contains("\n  " + command + " "), () -> "usage lacks " + command + ":\n" + r.out());
        }
    }

    @Test
    void unknownCommand_namesIt_andPointsToHelp_exits2() {
        Outcome r = haagent("lnt", "x.yaml");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals("haagent: unknown command 'lnt'; see haagent --help\n", r.err());
    }

    /**
     * The agent's class path has no demo, as in a package that ships only lib/: the CLI says where the
     * demo ships instead of failing with a missing class. (With the demo, the demo module's
     * DemoCommandTest runs it through this CLI.)
     */
    @Test
    void demo_notInThisInstallation_saysWhereItShips_exits2() {
        Outcome r = haagent("demo", "--keep-running");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals("haagent demo is not in this installation: it ships in the distribution tarball (lib/demo/);"
                + " or run ./haagent demo from a source checkout\n", r.err());
    }

    @Test
    void lint_handsTheRestOfTheArgumentsToLintCommand() {
        // Whatever lint does with its arguments, `haagent lint ARGS` must do exactly the same.
        String[][] cases = {{}, {"--format", "yaml"}, {"/nonexistent/haagent.yaml"}};
        for (String[] lintArgs : cases) {
            String[] args = new String[lintArgs.length + 1];
            args[0] = "lint";
            System.arraycopy(lintArgs, 0, args, 1, lintArgs.length);
            assertEquals(lintDirectly(lintArgs), haagent(args), () -> "haagent " + String.join(" ", args));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"version", "--version"})
    void version_printsVersionAndCommit_exits0(String version) {
        Outcome r = haagent(version);
        assertAll(
                () -> assertEquals(0, r.status()),
                () -> assertEquals("", r.err()),
                () -> assertTrue(
                        r.out().matches("haagent (\\d+\\.\\d+\\.\\d+\\S*|unknown) \\((unknown|[0-9a-f]{7,}(-dirty)?)\\)\n"),
                        r.out()));
    }

    @Test
    void version_withArguments_isAUsageError() {
        Outcome r = haagent("version", "--json");
        assertEquals(2, r.status());
        assertEquals("haagent version: takes no arguments, got '--json'\n", r.err());
    }
}
