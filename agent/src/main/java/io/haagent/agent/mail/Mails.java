package io.haagent.agent.mail;

import io.haagent.agent.heal.HealEvent;
import io.haagent.config.Durations;
import io.haagent.config.MailConfig.MailEvent;
import io.haagent.event.EventIds;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Builds the operator mails. Subjects come from {@link Mail#subject()}; this class only names what happened. */
public final class Mails {
    /** A digest subject names this many kinds of event, then counts the rest. */
    private static final int SUBJECT_GROUPS = 4;

    private Mails() {}

    /**
     * {@code [haagent] web01: redis-vip BACKUP -> MASTER}, with the steps the transition took. An instance's
     * first state after it started (from INIT) is a {@code vrrp_start} mail, mailed only when listed; one to
     * MASTER or FAULT is urgent: no grouping window holds it.
     */
    public static Mail vrrpTransition(String host, VrrpEvent e, List<ActionLine> steps) {
        String body = MailBody.builder()
                .field("host", host)
                .field("event id", e.eventId())
                .field("instance", e.instance())
                .field("from", e.from().name())
                .field("to", e.to().name())
                .field("reason", e.reason())
                .field("priority", e.priority())
                .field("master", e.master().map(Object::toString).orElse("unknown"))
                .field("at", e.at())
                .steps(steps)
                .build();
        MailEvent event = e.from() == VrrpState.INIT ? MailEvent.VRRP_START : MailEvent.VRRP_TRANSITION;
        boolean urgent = e.to() == VrrpState.MASTER || e.to() == VrrpState.FAULT;
        return new Mail(event, host, e.instance() + " " + e.from().name() + " -> " + e.to().name(),
                body, List.of(e.eventId()), e.at(), urgent);
    }

    /**
     * {@code [haagent] web01: check disk DOWN for 25s: disk 93% used > 90%}: the reason of the result that
     * tipped it, and how long it has been failing (since the first failure of the run that tipped it).
     * The mail gets a fresh event id, which the body shows.
     *
     * @param failures the failures in a row that tipped it; 0 when it was known down at once
     */
    public static Mail checkDown(String host, String check, String reason, Duration failingFor, int failures, Instant at) {
        String id = EventIds.next();
        String body = MailBody.builder()
                .field("host", host)
                .field("event id", id)
                .field("check", check)
                .field("state", "DOWN")
                .field("reason", reason)
                .field("down for", text(failingFor) + (failures == 0 ? " (known down at once)"
                        : " (" + failures + (failures == 1 ? " failure" : " failures in a row") + ")"))
                .field("at", at)
                .build();
        return new Mail(MailEvent.CHECK_DOWN, host, "check " + check + " DOWN for " + text(failingFor) + ": " + reason,
                body, List.of(id), at);
    }

    /** {@code [haagent] web01: check disk UP after 5m3s down: disk 41% used}: the check that was DOWN is back. */
    public static Mail checkUp(String host, String check, String reason, Duration wasDownFor, Instant at) {
        String id = EventIds.next();
        String body = MailBody.builder()
                .field("host", host)
                .field("event id", id)
                .field("check", check)
                .field("state", "UP")
                .field("reason", reason)
                .field("was down for", text(wasDownFor))
                .field("at", at)
                .build();
        return new Mail(MailEvent.CHECK_UP, host, "check " + check + " UP after " + text(wasDownFor) + " down: " + reason,
                body, List.of(id), at);
    }

    /** {@code 250ms} under a second, else whole seconds: {@code 25s}, {@code 5m3s}. */
    private static String text(Duration d) {
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Math.max(0, d.toMillis()) + "ms"
                : Durations.format(Duration.ofSeconds(Math.round(d.toMillis() / 1000.0)));
    }

    /**
     * A restart, escalation or give-up: {@code [haagent] web01: service app restarted},
     * {@code VM restart of app}, {@code gave up on app (FATAL)}. Empty for kinds that are not mailed
     * ({@link HealEvent.Kind#mailEvent()}).
     */
    public static Optional<Mail> heal(String host, HealEvent e) {
        return heal(host, e, List.of());
    }

    /** As {@link #heal(String, HealEvent)}, with the steps the action took. */
    public static Optional<Mail> heal(String host, HealEvent e, List<ActionLine> steps) {
        Optional<MailEvent> event = e.kind().mailEvent();
        if (event.isEmpty()) {
            return Optional.empty();
        }
        String service = e.service().orElse(null);
        String summary = switch (e.kind()) {
            case RESTART -> service == null ? "restart ordered" : "service " + service + " restarted";
            case ESCALATION -> "VM restart of " + (service == null ? "the host" : service);
            case GIVE_UP -> "gave up on " + (service == null ? "the host" : service) + " (FATAL)";
            case HOST_HELD -> "restarts held: host restart budget spent";
            case HOST_RELEASED, VM_RESTARTED -> throw new AssertionError("not mailed"); // mailEvent() is empty
        };
        MailBody body = MailBody.builder()
                .field("host", host)
                .field("event id", e.id())
                .field("service", service == null ? "(node)" : service)
                .field("event", e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                .field("what", e.sentence());
        if (!steps.isEmpty()) {
            body.steps(steps);
        }
        Instant now = Instant.now();
        return Optional.of(new Mail(event.get(), host, summary, body.build(), List.of(e.id()), now));
    }

    /**
     * {@code [haagent] web01: config reload refused}: the lint message and its findings; the running
     * config stays. The mail gets a fresh event id, which the body shows.
     */
    public static Mail reloadRefused(String host, String message, List<String> findings) {
        String id = EventIds.next();
        MailBody body = MailBody.builder()
                .field("host", host)
                .field("event id", id)
                .field("reason", message)
                .field("result", "the running config was kept");
        if (!findings.isEmpty()) {
            body.paragraph("findings:\n" + String.join("\n", findings.stream().map(f -> "  " + f).toList()));
        }
        return new Mail(MailEvent.RELOAD_FAILED, host, "config reload refused", body.build(), List.of(id), Instant.now());
    }

    /**
     * One mail for several: {@code [haagent] web01: 5 events (redis-vip BACKUP -> MASTER, service app
     * restarted ×4)}. The body holds every mail's body in order, so every event id appears in it.
     */
    static Mail digest(String host, List<Mail> mails) {
        if (mails.size() == 1) {
            return mails.getFirst();
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        mails.forEach(m -> counts.merge(m.summary(), 1, Integer::sum));
        List<String> groups = new ArrayList<>();
        counts.forEach((summary, n) -> groups.add(n == 1 ? summary : summary + " ×" + n));
        String named = groups.size() <= SUBJECT_GROUPS ? String.join(", ", groups)
                : String.join(", ", groups.subList(0, SUBJECT_GROUPS)) + ", " + (groups.size() - SUBJECT_GROUPS) + " more";
        StringBuilder body = new StringBuilder(MailBody.builder()
                .field("host", host)
                .field("events", mails.size())
                .field("first at", mails.getFirst().created())
                .field("last at", mails.getLast().created())
                .build());
        for (int i = 0; i < mails.size(); i++) {
            Mail m = mails.get(i);
            body.append("\n---- ").append(i + 1).append(" of ").append(mails.size()).append(": ")
                    .append(m.summary()).append(" ----\n").append(m.body());
        }
        return new Mail(mails.getFirst().event(), host, mails.size() + " events (" + named + ")", body.toString(),
                mails.stream().flatMap(m -> m.eventIds().stream()).toList(), mails.getFirst().created(),
                mails.stream().anyMatch(Mail::urgent));
    }
}
