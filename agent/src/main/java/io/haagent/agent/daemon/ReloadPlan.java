package io.haagent.agent.daemon;

import io.haagent.config.HaagentConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reload changes, decided from the running config and the new one alone (a pure function):
 * unchanged checks, services and VRRP instances keep their state and their children; removed
 * ones stop; changed ones restart; new ones start. Record equality says what "unchanged" is.
 */
public record ReloadPlan(Diff checks, Diff services, Diff vrrp, List<String> needsRestart) {

    /** Names by fate, each list in the order of the file. */
    public record Diff(List<String> added, List<String> removed, List<String> changed, List<String> kept) {
        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }

        String describe(String what) {
            List<String> parts = new ArrayList<>();
            add(parts, added, "added");
            add(parts, removed, "removed");
            add(parts, changed, "changed");
            return parts.isEmpty() ? "" : what + " " + String.join(", ", parts);
        }

        private static void add(List<String> parts, List<String> names, String verb) {
            if (!names.isEmpty()) {
                parts.add(verb + " " + String.join(" ", names));
            }
        }
    }

    public static ReloadPlan between(HaagentConfig running, HaagentConfig next) {
        List<String> restart = new ArrayList<>();
        // state_dir holds what the running daemon wrote: moving it under a live daemon would split
        // state files, child logs and the mail spool across two places.
        if (!running.node().stateDir().equals(next.node().stateDir())) {
            restart.add("node.state_dir");
        }
        // Rebinding would cut off the very `haagent reload` that asked for it.
        if (!running.node().admin().listen().equals(next.node().admin().listen())) {
            restart.add("node.admin.listen");
        }
        if (!running.node().name().equals(next.node().name())) {
            restart.add("node.name");
        }
        return new ReloadPlan(diff(running.checks(), next.checks()), diff(running.services(), next.services()),
                diff(running.vrrp(), next.vrrp()), List.copyOf(restart));
    }

    static <T> Diff diff(Map<String, T> running, Map<String, T> next) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        next.forEach((name, spec) -> {
            T old = running.get(name);
            (old == null ? added : Objects.equals(old, spec) ? kept : changed).add(name);
        });
        List<String> removed = running.keySet().stream().filter(n -> !next.containsKey(n)).toList();
        return new Diff(List.copyOf(added), removed, List.copyOf(changed), List.copyOf(kept));
    }

    public boolean isEmpty() {
        return checks.isEmpty() && services.isEmpty() && vrrp.isEmpty();
    }

    /** "checks added api; services changed web" — or "nothing changed". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (String p : List.of(checks.describe("checks"), services.describe("services"), vrrp.describe("vrrp"))) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        String s = parts.isEmpty() ? "nothing changed" : String.join("; ", parts);
        return needsRestart.isEmpty() ? s : s + "; " + String.join(", ", needsRestart)
                + " changed too, which takes effect at the next restart of haagent";
    }
}
