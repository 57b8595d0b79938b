package io.haagent.config.load;

import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * The findings of one loaded file, collected in the order they were found; a finding in a file it
 * includes names that file through its location.
 */
final class Findings {
    private final String file;
    private final List<Finding> list = new ArrayList<>();

    Findings(String file) {
        this.file = file;
    }

    void add(Rule rule, Location at, String message) {
        list.add(new Finding(file, at, rule, message));
    }

    int size() {
        return list.size();
    }

    List<Finding> list() {
        return List.copyOf(list);
    }
}
