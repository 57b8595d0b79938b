package io.haagent.config.load;

import io.haagent.config.CheckSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the first pass over one file collects besides the records: its findings, where each path
 * stands, the names it declares (whether or not their objects bound cleanly) and the files it names.
 */
final class Binding {
    final Findings findings;
    final SourceMap source = new SourceMap();
    final Set<String> declaredChecks = new LinkedHashSet<>();
    final Set<String> declaredServices = new LinkedHashSet<>();
    final Set<String> declaredVrrp = new LinkedHashSet<>();
    final List<FileRef> files = new ArrayList<>();
    /** Each typed check's timing by path ({@code checks.web}), also for checks left out of the bound config. */
    final Map<String, CheckSpec.CheckTiming> checkTimings = new LinkedHashMap<>();

    Binding(Findings findings) {
        this.findings = findings;
    }
}
