package io.haagent.agent.mail;

import io.haagent.config.MailConfig.MailEvent;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One operator mail, before it is sent. Build it with {@link Mails}.
 *
 * @param event    the {@code notify.mail.events} word that selects it (a digest keeps its first mail's)
 * @param host     the node name, as the subject shows it
 * @param summary  what happened, in a few words: {@code redis-vip BACKUP -> MASTER}
 * @param body     plain text
 * @param eventIds the ids of the events it reports, in order; the same ids end the log sentences
 * @param created  wall-clock time, for humans only
 * @param urgent   leaves at once, never held in a grouping window (a VRRP instance became MASTER or FAULT);
 *                 not kept in the spool: a mail an earlier run left goes first anyway
 */
public record Mail(MailEvent event, String host, String summary, String body, List<String> eventIds, Instant created,
                   boolean urgent) {
    public Mail {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(created, "created");
        // Subject and spool header lines: a CR or LF from a reason string must not start a new header.
        host = oneLine(Objects.requireNonNull(host, "host"));
        summary = oneLine(Objects.requireNonNull(summary, "summary"));
        eventIds = eventIds.stream().map(id -> id.strip().replaceAll("\\s+", "_")).filter(id -> !id.isEmpty()).toList();
    }

    /** A mail that may wait in a grouping window with others. */
    public Mail(MailEvent event, String host, String summary, String body, List<String> eventIds, Instant created) {
        this(event, host, summary, body, eventIds, created, false);
    }

    /** The one place subjects are made: {@code [haagent] web01: redis-vip BACKUP -> MASTER}. */
    public String subject() {
        return "[haagent] " + host + ": " + summary;
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+", " ").strip();
    }
}
