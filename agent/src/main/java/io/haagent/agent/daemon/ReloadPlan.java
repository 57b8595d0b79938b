package io.haagent.agent.daemon;

import io.haagent.config.HaagentConfig;
import io.haagent.config.NodeConfig;
import io.haagent.config.VrrpInstance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reload changes, decided from the running config and the new one alone (a pure function):
 * unchanged checks, services and VRRP instances keep their state and their children; removed
 * ones stop; changed checks and services restart; new ones start. Record equality says what
 * "unchanged" is. A changed VRRP instance is reconfigured in place, keeping its election, unless
 * its identity changed ({@link VrrpInstance#identityChanges}): then it restarts.
 *
 * @param vrrpRestarts the changed VRRP instances that restart, each with the identity changes that make it
 * @param settings     the other settings this reload applies that changed ({@code notify.mail},
 *                     {@code node.restart_budget}, {@code node.admin.token_file}), so that it says so
 * @param needsRestart the settings that differ from those in use, which only a restart of haagent applies
 */
public record ReloadPlan(Diff checks, Diff services, Diff vrrp, Map<String, List<String>> vrrpRestarts,
                         List<String> settings, List<String> needsRestart) {

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

    /** A reload of a daemon that started with {@code running}'s node settings. */
    public static ReloadPlan between(HaagentConfig running, HaagentConfig next) {
        return between(running.node(), running, next);
    }

    /**
     * @param inUse the node settings the daemon started with: those a reload cannot change (issue 12:
     *              comparing with the running config said "takes effect at the next restart" even when a
     *              reload put {@code admin.listen} back to the address in use)
     */
    public static ReloadPlan between(NodeConfig inUse, HaagentConfig running, HaagentConfig next) {
        List<String> restart = new ArrayList<>();
        // state_dir holds what the running daemon wrote: moving it under a live daemon would split
        // state files, child logs and the mail spool across two places.
        if (!inUse.stateDir().equals(next.node().stateDir())) {
            restart.add("node.state_dir");
        }
        // Rebinding would cut off the very `haagent reload` that asked for it.
        if (!inUse.admin().listen().equals(next.node().admin().listen())) {
            restart.add("node.admin.listen");
        }
        if (!inUse.name().equals(next.node().name())) {
            restart.add("node.name");
        }
        // One ZooKeeper session per daemon, and the leases it holds: a new ensemble, timeout or lease list under a
        // running MASTER would drop or double a lease mid-flight.
        if (!running.zookeeper().equals(next.zookeeper())) {
            restart.add("coordination.zookeeper");
        }
        List<String> settings = new ArrayList<>();
        // Applied by Daemon (the token), Healing (the budget), Mailing (the mailer) and LoadPush; named here so that a
        // reload changing only these does not say "nothing changed" (issue 12).
        if (!running.node().admin().tokenFile().equals(next.node().admin().tokenFile())) {
            settings.add("node.admin.token_file");
        }
        if (!running.node().restartBudget().equals(next.node().restartBudget())) {
            settings.add("node.restart_budget");
        }
        if (!running.mail().equals(next.mail())) {
            settings.add("notify.mail");
        }
        if (!running.scaler().equals(next.scaler())) {
            settings.add("scaler.push"); // LoadPush starts a new pusher
        }
        Diff vrrp = diff(running.vrrp(), next.vrrp());
        Map<String, List<String>> vrrpRestarts = new LinkedHashMap<>();
        for (String name : vrrp.changed()) {
            List<String> identity = running.vrrp().get(name).identityChanges(next.vrrp().get(name));
            if (!identity.isEmpty()) {
                vrrpRestarts.put(name, identity);
            }
        }
        return new ReloadPlan(diff(running.checks(), next.checks()), diff(running.services(), next.services()),
                vrrp, Collections.unmodifiableMap(vrrpRestarts), List.copyOf(settings), List.copyOf(restart));
    }

    /** Whether changed instance {@code name} is reconfigured in place (not restarted). */
    public boolean vrrpInPlace(String name) {
        return vrrp.changed().contains(name) && !vrrpRestarts.containsKey(name);
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
        return checks.isEmpty() && services.isEmpty() && vrrp.isEmpty() && settings.isEmpty();
    }

    private String describeVrrp() {
        List<String> changed = vrrp.changed().stream().map(name -> vrrpRestarts.containsKey(name)
                ? name + " (restarted: " + String.join(", ", vrrpRestarts.get(name)) + ")" : name + " (in place)").toList();
        return new Diff(vrrp.added(), vrrp.removed(), changed, vrrp.kept()).describe("vrrp");
    }

    /**
     * "checks added api; services changed web; vrrp changed vip (in place), vip2 (restarted: vrid 51 -> 52);
     * notify.mail changed" — or "nothing changed".
     */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (String p : List.of(checks.describe("checks"), services.describe("services"), describeVrrp())) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        if (!settings.isEmpty()) {
            parts.add(String.join(", ", settings) + " changed");
        }
        String s = parts.isEmpty() ? "nothing changed" : String.join("; ", parts);
        return needsRestart.isEmpty() ? s : s + "; " + String.join(", ", needsRestart)
                + " changed too, which takes effect at the next restart of haagent";
    }
}
