package io.haagent.agent.daemon;

import io.haagent.failover.actions.RoleActions;
import io.haagent.failover.vrrp.ElectionHold;
import io.haagent.failover.vrrp.instance.InstanceStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of the {@code vrrp} list of /status: one object per instance, running or not, in the field order an
 * operator reads them.
 */
final class FailoverStatusJson {
    private FailoverStatusJson() {}

    /** The /status state of an instance that could not start (its {@code error} says why). */
    static final String NOT_RUNNING = "NOT_RUNNING";

    static Map<String, Object> notRunning(String name, String why) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("state", NOT_RUNNING);
        m.put("running", false);
        m.put("error", why);
        return m;
    }

    /** A running instance as its runner sees it; {@code nowNanos} and {@code wallNow} turn ticker readings into times. */
    static Map<String, Object> running(InstanceStatus s, long nowNanos, Instant wallNow) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("state", s.state().name());
        m.put("running", true);
        m.put("since", Component.wallTime(s.sinceNanos(), nowNanos, wallNow));
        m.put("priority", s.priority());
        m.put("configured_priority", s.configuredPriority());
        m.put("master", s.master().map(Object::toString).orElse(null));
        m.put("hold", s.hold().map(FailoverStatusJson::hold).orElse(null));
        s.lease().ifPresent(l -> {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("phase", l.phase());
            lm.put("epoch", l.epoch() == 0 ? null : "0x" + Long.toHexString(l.epoch()));
            lm.put("waiting", l.waiting().isEmpty() ? null : l.waiting());
            m.put("lease", lm);
        });
        m.put("event_id", s.lastEventId().isEmpty() ? null : s.lastEventId());
        m.put("transitions", s.transitions());
        m.put("adverts_sent", s.advertsSent());
        m.put("adverts_received", s.advertsReceived());
        m.put("drops", s.drops());
        m.put("send_errors", s.sendErrors());
        List<Map<String, Object>> peers = new ArrayList<>();
        for (InstanceStatus.PeerStatus p : s.peers()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("address", p.address().toString());
            pm.put("last_heard", p.lastHeardNanos().isPresent()
                    ? Component.wallTime(p.lastHeardNanos().getAsLong(), nowNanos, wallNow) : null);
            pm.put("priority", p.lastPriority().isPresent() ? p.lastPriority().getAsInt() : null);
            peers.add(pm);
        }
        m.put("peers", peers);
        return m;
    }

    /** What an operator holds the instance back from, and until when (issue 12: switchover, drain). */
    private static Map<String, Object> hold(ElectionHold h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", h.kind().name());
        m.put("why", h.why());
        m.put("until", h.kind() == ElectionHold.Kind.DRAINED ? "node resume; never MASTER meanwhile"
                : "MASTER again (the peer fails or hands back) or node resume; no preemption meanwhile");
        return m;
    }

    /**
     * Adds what the failover adds to a running instance: why its promotion guard refuses (null while it does not),
     * and the role actions of its last report, if any.
     */
    static void addFailover(Map<String, Object> into, String promotionRefused, RoleActions.Report last) {
        into.put("promotion_refused", promotionRefused);
        if (last == null) {
            return;
        }
        Map<String, Object> actions = new LinkedHashMap<>();
        actions.put("trigger", last.trigger().describe());
        actions.put("event_id", last.event().eventId());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (RoleActions.Outcome o : last.outcomes()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("action", o.action());
            step.put("ok", o.ok());
            step.put("result", o.sentence());
            step.put("took_ms", o.took().toMillis());
            steps.add(step);
        }
        actions.put("steps", steps);
        into.put("last_actions", actions);
    }
}
