package io.haagent.agent.daemon;

import io.haagent.agent.admin.AdminServer;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The admin answers to {@code POST /vrrp/<name>/promote}, each with its HTTP status: 404 for an instance that does
 * not run, 409 for one with no promotion to force, 200 once the next promotion skips the data-loss guard.
 */
final class ForcePromotionReplies {
    private ForcePromotionReplies() {}

    /** The instance is configured but could not start; {@code why} is what its start said. */
    static AdminServer.Reply notRunning(String name, String why) {
        return AdminServer.Reply.refused(404, name + " is not running: " + why);
    }

    /** No instance of that name; {@code running} names the ones there are. */
    static AdminServer.Reply unknown(String name, Set<String> running) {
        return AdminServer.Reply.refused(404, "no VRRP instance " + name + (running.isEmpty() ? ""
                : "; there are " + String.join(", ", new TreeSet<>(running))));
    }

    static AdminServer.Reply nothingToForce(String name) {
        return AdminServer.Reply.refused(409, name + " promotes no Redis (no on_master.redis_promote): nothing to force");
    }

    /** @param refused why the guard had refused the promotion; null when it held nothing */
    static AdminServer.Reply forced(String name, String refused) {
        return new AdminServer.Reply(200, Map.of("ok", true, "message", "the next promotion of " + name
                + " skips the data-loss guard" + (refused == null ? "" : "; it had refused: " + refused)));
    }
}
