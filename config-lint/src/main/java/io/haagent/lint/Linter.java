package io.haagent.lint;

import io.haagent.config.HaagentConfig;
import io.haagent.config.load.ConfigLoader;
import io.haagent.config.load.LoadResult;
import io.haagent.lint.finding.Finding;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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

    /**
     * Loads one config with the files it includes, read as {@link ConfigFile} reads (the first pass
     * only). The one way lint, the daemon (at start and on every reload) and the admin client load a config.
     */
    public static LoadResult load(Source source) {
        return ConfigLoader.load(source.name(), source.text(), ConfigFile.INCLUDED);
    }

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
        List<LoadResult> hosts = new ArrayList<>();
        HostFacts host = options.hostChecks() ? options.host().get() : null;
        for (Source s : sources) {
            LoadResult r = load(s);
            List<Finding> f = new ArrayList<>(r.findings());
            if (r.parsed()) {
                f.addAll(FileRules.check(r));
                if (host != null) {
                    f.addAll(HostRules.check(r, host));
                }
                loaded.add(r);
            }
            hosts.add(r);
            perFile.add(f);
        }
        if (loaded.size() > 1) {
            for (Finding fleet : FleetRules.check(loaded)) {
                perFile.get(hostOf(fleet, hosts)).add(fleet);
            }
        }
        List<Finding> out = new ArrayList<>();
        // Hosts that include the same base would each report its findings: one in an included file is printed once.
        Set<Finding> printed = new HashSet<>();
        for (int i = 0; i < perFile.size(); i++) {
            List<Finding> f = perFile.get(i);
            f.sort(Finding.BY_POSITION);
            for (Finding x : f) {
                if (printed.add(x) || x.file().equals(sources.get(i).name())) {
                    out.add(x);
                }
            }
        }
        return List.copyOf(out);
    }

    /** The host whose file, or a file it includes, a fleet finding is in. */
    private static int hostOf(Finding fleet, List<LoadResult> hosts) {
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).file().equals(fleet.file())) {
                return i;
            }
        }
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).includes().contains(fleet.file())) {
                return i;
            }
        }
        return 0; // not reached: a fleet finding stands in a host's file or one it includes; printed rather than lost
    }
}
