package io.haagent.agent.daemon;

import io.haagent.agent.mail.Mail;
import io.haagent.agent.mail.Mailer;
import io.haagent.config.HaagentConfig;
import io.haagent.config.MailConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The operators' mail as a part of the daemon: a {@link Mailer} while {@code notify.mail} is configured,
 * replaced when a reload changes it (the spool under {@code state_dir/mail} carries what was pending
 * across). Without mail configured, {@link #send} drops the mail quietly: the log has every event anyway.
 */
final class Mailing implements Component {
    private final String host;
    private final Runnable onSendFailure;
    private volatile Mailer mailer;
    private Optional<MailConfig> applied = Optional.empty();

    /** @param onSendFailure hears each failed send attempt, of whichever mailer a reload left running */
    Mailing(String host, Runnable onSendFailure) {
        this.host = host;
        this.onSendFailure = onSendFailure;
    }

    /** Mails spooled and not yet sent; 0 without mail configured. */
    int pending() {
        Mailer m = mailer;
        return m == null ? 0 : m.status().pending();
    }

    /** The host name the subjects carry. */
    String host() {
        return host;
    }

    @Override
    public void apply(HaagentConfig config, ReloadPlan plan) {
        if (mailer != null && Objects.equals(applied, config.mail())) {
            return;
        }
        Mailer old = mailer;
        if (old != null) {
            // First: the old mailer spools what it has queued, so that the new one loads it. A mail
            // submitted meanwhile still reaches the old one, which spools it.
            old.close();
        }
        mailer = config.mail().map(m -> Mailer.start(m, host, config.node().stateDir(), onSendFailure)).orElse(null);
        applied = config.mail();
    }

    /** Spools and sends {@code mail} (if its event is one {@code notify.mail.events} asks for); returns at once. */
    void send(Mail mail) {
        Mailer m = mailer;
        if (m != null) {
            m.submit(mail);
        }
    }

    @Override
    public void status(Map<String, Object> into) {
        Mailer m = mailer;
        if (m == null) {
            return;
        }
        Mailer.Status s = m.status();
        Map<String, Object> mail = new LinkedHashMap<>();
        mail.put("pending", s.pending());
        mail.put("last_failure", s.lastFailure().orElse(null));
        mail.put("dropped", s.dropped());
        into.put("mail", mail);
    }

    @Override
    public void close() {
        Mailer m = mailer;
        mailer = null;
        if (m != null) {
            m.close();
        }
    }
}
