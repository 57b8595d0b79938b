package io.haagent.config.load;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Loads one config file's text: YAML with positions, then the first (single-field) pass. Never throws for bad input. */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static LoadResult load(String file, String text) {
        Findings findings = new Findings(file);
        YamlNode root = new YamlReader(findings).read(text);
        boolean parsed = root != null || findings.list().isEmpty();
        Binding binding = new Binding(findings);
        // A file that is not YAML binds as empty, quietly: its syntax error is the finding that matters.
        var config = new ConfigBinder(binding).bind(parsed ? root : null, parsed);
        return new LoadResult(file, config, findings.list(), binding.source, inFileOrder(binding.declaredChecks),
                inFileOrder(binding.declaredServices), inFileOrder(binding.declaredVrrp), List.copyOf(binding.files),
                Collections.unmodifiableMap(new LinkedHashMap<>(binding.checkTimings)), parsed);
    }

    // Not Set.copyOf: its order changes from run to run, and lint prints these names ("use one of: ...").
    private static Set<String> inFileOrder(Set<String> names) {
        return Collections.unmodifiableSequencedSet(new LinkedHashSet<>(names));
    }
}
