package io.haagent.lint.finding;

import java.util.Comparator;

/**
 * One problem in one config file, at the key or value it is about. {@code file} is the file the
 * location names when it names one (a file the config includes), else the one given.
 */
public record Finding(String file, Location at, Rule rule, String message) {
    public Finding {
        // Rules write new Finding(loaded.file(), at, ...): a value that came from an included file is reported there.
        file = at.fileOr(file);
    }

    public static final Comparator<Finding> BY_POSITION =
            Comparator.comparing(Finding::at).thenComparing(f -> f.rule().id());

    public Severity severity() {
        return rule.severity();
    }

    public boolean isError() {
        return rule.severity() == Severity.ERROR;
    }

    /** {@code FILE:LINE:COL: error|warning: MESSAGE [rule-id]}, the text format's line. */
    @Override
    public String toString() {
        return file + ":" + at.line() + ":" + at.column() + ": " + severity().label() + ": " + message
                + " [" + rule.id() + "]";
    }
}
