package io.haagent.lint;

import io.haagent.config.HaagentConfig;
import io.haagent.config.load.ConfigLoader;
import io.haagent.config.load.LoadResult;
import io.haagent.lint.finding.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The whole lint: load each file (first pass), run the per-file rules (second pass), the host
 * rules when asked, and the fleet rules when several files are given. Used by {@code haagent lint}
 * and by the daemon before every start and reload.
 */
public final class Linter {
    /** One config file's name (as printed in findings) and text. */
    public record Source(String name, String text) {}

    /** {@code hostChecks}: also check the config against this machine ({@code lint --host}). */
    public record Options(boolean hostChecks, Supplier<HostFacts> host) {
        public static final Options DEFAULT = new Options(false, HostFacts::system);

        public static Options onThisHost() {
            return new Options(true, HostFacts::system);
        }

        /** The host checks with facts of the caller's (the agent's also ask the local Redis). */
        public static Options onThisHost(Supplier<HostFacts> facts) {
            return new Options(true, facts);
        }
    }

    /** A linted file: the config when it has no errors, and every finding in file order. */
    public record Linted(Optional<HaagentConfig> config, List<Finding> findings) {
        public boolean hasErrors() {
            return findings.stream().anyMatch(Finding::isError);
        }
    }

    private Linter() {}

    /** Lints one file alone, as the daemon does before applying it. */
    public static Linted lint(Source source, Options options) {
        List<LoadResult> loaded = new ArrayList<>();
        List<Finding> findings = lint(List.of(source), options, loaded);
        boolean errors = findings.stream().anyMatch(Finding::isError);
        return new Linted(errors ? Optional.empty() : Optional.of(loaded.getFirst().bound()), findings);
    }

    /** Lints the files, each alone and, when there are several, as one fleet. Findings are grouped by file, in order. */
    public static List<Finding> lint(List<Source> sources, Options options) {
        return lint(sources, options, new ArrayList<>());
    }

    private static List<Finding> lint(List<Source> sources, Options options, List<LoadResult> loaded) {
        List<List<Finding>> perFile = new ArrayList<>();
        HostFacts host = options.hostChecks() ? options.host().get() : null;
        for (Source s : sources) {
            LoadResult r = ConfigLoader.load(s.name(), s.text());
            List<Finding> f = new ArrayList<>(r.findings());
            if (r.parsed()) {
                f.addAll(FileRules.check(r));
                if (host != null) {
                    f.addAll(HostRules.check(r, host));
                }
                loaded.add(r);
            }
            perFile.add(f);
        }
        if (loaded.size() > 1) {
            for (Finding fleet : FleetRules.check(loaded)) {
                for (int i = 0; i < sources.size(); i++) {
                    if (sources.get(i).name().equals(fleet.file())) {
                        perFile.get(i).add(fleet);
                        break;
                    }
                }
            }
        }
        List<Finding> out = new ArrayList<>();
        for (List<Finding> f : perFile) {
            f.sort(Finding.BY_POSITION);
            out.addAll(f);
        }
        return List.copyOf(out);
    }
}
