package io.haagent.checker;

import java.util.List;

/**
 * What {@link CheckScheduler#apply} did, by check name (sorted): {@code kept} checks had an equal spec
 * and kept their state and schedule; {@code changed} ones were restarted from UNKNOWN.
 */
public record CheckChanges(List<String> added, List<String> changed, List<String> removed, List<String> kept) {
    public CheckChanges {
        added = List.copyOf(added);
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
        kept = List.copyOf(kept);
    }

    /** "added api; changed web; removed old" — or "no check changed". */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        append(sb, "added", added);
        append(sb, "changed", changed);
        append(sb, "removed", removed);
        return sb.isEmpty() ? "no check changed" : sb.toString();
    }

    private static void append(StringBuilder sb, String what, List<String> names) {
        if (!names.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : "; ").append(what).append(' ').append(String.join(", ", names));
        }
    }
}
