package io.haagent.lint;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
            Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error or unreadable file.""";

    private LintCommand() {}

    /** Runs the command; returns the exit code: 0 clean or warnings only, 1 errors, 2 usage or unreadable file. */
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
        boolean unreadable = false;
        for (String f : files) {
            try {
                sources.add(new Linter.Source(f, read(f)));
            } catch (IOException e) {
                err.println("haagent lint: cannot read " + f + ": " + reason(e));
                unreadable = true;
            }
        }
        List<Finding> findings = Linter.lint(sources, host ? Linter.Options.onThisHost(hostFacts) : Linter.Options.DEFAULT);
        format.write(findings, out);
        out.flush();
        long errors = findings.stream().filter(Finding::isError).count();
        long warnings = findings.size() - errors;
        if (format == OutputFormat.TEXT) {
            err.println("haagent lint: " + sources.size() + (sources.size() == 1 ? " file, " : " files, ")
                    + plural(errors, "error") + ", " + plural(warnings, "warning"));
        }
        return unreadable ? UNUSABLE : errors > 0 ? ERRORS : CLEAN;
    }

    private static String read(String file) throws IOException {
        if (file.equals("-")) {
            return decode(System.in.readAllBytes());
        }
        Path p = Path.of(file);
        if (Files.isDirectory(p)) {
            throw new IOException("it is a directory; name the config files in it");
        }
        return decode(Files.readAllBytes(p));
    }

    private static String decode(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
