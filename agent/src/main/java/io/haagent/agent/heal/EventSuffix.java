package io.haagent.agent.heal;

/**
 * The event id at the end of a sentence (STYLE §8), {@code " [event 4f2a9c]"}: spelled here once for
 * every sentence and event text of the healer.
 */
final class EventSuffix {
    private EventSuffix() {}

    static String of(String id) {
        return " [event " + id + "]";
    }

    /** Nothing when there is no event yet: a service that recovers before any restart was ordered. */
    static String ifAny(String id) {
        return id.isEmpty() ? "" : of(id);
    }

    /** A give-up that restarts the VM: the give-up's event and the escalation's. */
    static String withEscalation(String id, String escalationId) {
        return " [event " + id + ", escalation " + escalationId + "]";
    }
}
