package io.haagent.lint;

import io.haagent.lint.finding.Finding;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code haagent lint [--format text|json|github] [--host] FILE...}. */
public final class LintCommand {
    public static final int CLEAN = 0;
    public static final int ERRORS = 1;
    public static final int UNUSABLE = 2;

    static final String USAGE = """
            usage: haagent lint [--format text|json|github] [--host] FILE...
              --format   text (default): FILE:LINE:COL: error|warning: MESSAGE [rule-id]
                         json: an array of findings; github: workflow annotations
              --host     also check against this machine: interfaces, source addresses, files,
                         and whether the Redis that failover promotes can CONFIG REWRITE
            With several files, they are also checked as one fleet (the two ends of each VRRP pair).
            Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error or a file not read (unreadable, over 4 MiB).""";

    private LintCommand() {}

    /** Runs the command; returns the exit code: 0 clean or warnings only, 1 errors, 2 usage or a file not read. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, HostFacts::system);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, with the facts {@code --host} checks against. */
    public static int run(String[] args, PrintStream out, PrintStream err, java.util.function.Supplier<HostFacts> hostFacts) {
        OutputFormat format = OutputFormat.TEXT;
        boolean host = false;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--format") || a.startsWith("--format=")) {
                String value = a.startsWith("--format=") ? a.substring("--format=".length())
                        : i + 1 < args.length ? args[++i] : null;
                try {
                    format = OutputFormat.parse(value == null ? "" : value);
                } catch (IllegalArgumentException e) {
                    err.println("haagent lint: --format takes text, json or github, not '" + (value == null ? "" : value) + "'");
                    return UNUSABLE;
                }
            } else if (a.equals("--host")) {
                host = true;
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return CLEAN;
            } else if (a.equals("--")) {
                files.addAll(List.of(args).subList(i + 1, args.length));
                break;
            } else if (a.startsWith("-") && !a.equals("-")) {
                err.println("haagent lint: unknown option '" + a + "'\n" + USAGE);
                return UNUSABLE;
            } else {
                files.add(a);
            }
        }
        if (files.isEmpty()) {
            err.println("haagent lint: no config file given\n" + USAGE);
            return UNUSABLE;
        }
        List<Linter.Source> sources = new ArrayList<>();
        List<Finding> notRead = new ArrayList<>();
        boolean unreadable = false;
        for (String f : files) {
            try {
                sources.add(f.equals("-") ? ConfigFile.read(f, System.in) : ConfigFile.read(Path.of(f)));
            } catch (ConfigFile.Unreadable e) {
                // A finding, not a line on stderr: --format json and github must show it too (issue 12).
                notRead.add(e.asFinding());
                unreadable = true;
            }
        }
        List<Finding> findings = new ArrayList<>(notRead);
        findings.addAll(Linter.lint(sources, host ? Linter.Options.onThisHost(hostFacts) : Linter.Options.DEFAULT));
        format.write(findings, out);
        out.flush();
        long errors = findings.stream().filter(Finding::isError).count();
        long warnings = findings.size() - errors;
        if (format == OutputFormat.TEXT) {
            int linted = sources.size() + notRead.size();
            err.println("haagent lint: " + linted + (linted == 1 ? " file, " : " files, ")
                    + plural(errors, "error") + ", " + plural(warnings, "warning"));
        }
        return unreadable ? UNUSABLE : errors > 0 ? ERRORS : CLEAN;
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
