package io.haagent.config.load;

import io.haagent.lint.finding.Rule;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads one config: YAML with positions, the files its {@code include:} names merged in (see
 * {@link Includes}), then the first (single-field) pass. Never throws for bad input.
 */
public final class ConfigLoader {
    /** For a config given as text alone: what it includes is found, but not read. */
    private static final IncludeReader NOT_READ = file -> {
        throw new IncludeReader.Refused(Rule.CONFIG_UNREADABLE,
                "not read: this config was loaded as text alone; haagent lint and run read included files");
    };

    private ConfigLoader() {}

    /**
     * {@code text} alone: an {@code include:} in it is a finding. Lint, run and reload load through
     * {@link #load(String, String, IncludeReader)}, by way of {@code Linter.load}.
     */
    public static LoadResult load(String file, String text) {
        return load(file, text, NOT_READ);
    }

    /**
     * {@code file}'s text with what it includes, each included file read by {@code reader}. Includes
     * resolve against the directory of {@code file} as named; {@code -} (standard input) against the
     * current directory.
     */
    public static LoadResult load(String file, String text, IncludeReader reader) {
        Findings findings = new Findings(file);
        YamlNode root = new YamlReader(findings).read(text);
        boolean parsed = root != null || findings.list().isEmpty();
        Includes includes = new Includes(findings, reader);
        if (parsed) {
            root = includes.resolve(root, file);
            parsed = includes.allParsed();
        }
        Binding binding = new Binding(findings);
        // A file that is not YAML binds as empty, quietly: its syntax error is the finding that matters.
        var config = new ConfigBinder(binding).bind(parsed ? root : null, parsed);
        return new LoadResult(file, config, findings.list(), binding.source, inFileOrder(binding.declaredChecks),
                inFileOrder(binding.declaredServices), inFileOrder(binding.declaredVrrp), List.copyOf(binding.files),
                Collections.unmodifiableMap(new LinkedHashMap<>(binding.checkTimings)), parsed, includes.read());
    }

    // Not Set.copyOf: its order changes from run to run, and lint prints these names ("use one of: ...").
    private static Set<String> inFileOrder(Set<String> names) {
        return Collections.unmodifiableSequencedSet(new LinkedHashSet<>(names));
    }
}
