package io.haagent.config.load;

import io.haagent.config.CheckSpec;
import io.haagent.config.HaagentConfig;
import io.haagent.lint.finding.Finding;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What loading one file gave: the findings of the first pass, and the config bound as far as it
 * could be. {@link #bound()} leaves out objects whose required values were missing or bad; the
 * declared name sets still name them, so that references are not reported twice; they iterate in
 * the order of the file, so that lint's output is the same on every run. {@code checkTimings}: each
 * check's timing by path, also of a check that did not bind (issue 12: its timeout was not judged).
 * {@code file} is the loaded file's name; {@code includes} the files its {@code include:} brought in,
 * named as findings name them, in the order they were merged.
 */
public record LoadResult(String file, HaagentConfig bound, List<Finding> findings, SourceMap source,
                         Set<String> declaredChecks, Set<String> declaredServices, Set<String> declaredVrrp,
                         List<FileRef> files, Map<String, CheckSpec.CheckTiming> checkTimings, boolean parsed,
                         List<String> includes) {

    public boolean hasErrors() {
        return findings.stream().anyMatch(Finding::isError);
    }
}
