package io.haagent.lint.finding;

/** How bad a finding is: errors fail the lint (exit 1) and block a reload; warnings do not. */
public enum Severity {
    ERROR("error"),
    WARNING("warning");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The word used in every output format. */
    public String label() {
        return label;
    }
}
