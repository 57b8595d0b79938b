package io.haagent.agent.systemd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one line {@code systemctl status} shows under the unit's name: {@code 12 checks up, 1 down; redis-vip MASTER}.
 * Only what an operator acts on: the checks by state (unknown only while some have no result yet) and each VRRP
 * instance's state. Pure, so that the line changes exactly when what it says changes.
 */
public final class StatusLine {
    private StatusLine() {}

    /**
     * @param up        checks up
     * @param down      checks down
     * @param unknown   checks with no verdict yet
     * @param instances each VRRP instance's state in words ({@code MASTER}, {@code not running}), in name order
     */
    public static String of(int up, int down, int unknown, Map<String, String> instances) {
        List<String> parts = new ArrayList<>();
        if (up + down + unknown == 0) {
            parts.add("no checks");
        } else {
            String checks = up + (up + down + unknown == 1 ? " check" : " checks") + " up, " + down + " down";
            parts.add(unknown == 0 ? checks : checks + ", " + unknown + " unknown");
        }
        List<String> vrrp = new ArrayList<>();
        instances.forEach((name, state) -> vrrp.add(name + " " + state));
        if (!vrrp.isEmpty()) {
            parts.add(String.join(", ", vrrp));
        }
        return String.join("; ", parts);
    }
}
