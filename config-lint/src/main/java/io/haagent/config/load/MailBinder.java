package io.haagent.config.load;

import io.haagent.config.Defaults;
import io.haagent.config.MailConfig;
import io.haagent.config.Secret;
import io.haagent.lint.finding.Rule;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Binds {@code notify.mail:}: the SMTP server, sender, recipients and which events send mail. */
final class MailBinder {
    private final Values values;
    private final Findings findings;
    private final SourceMap source;

    MailBinder(Values values) {
        this.values = values;
        this.findings = values.binding.findings;
        this.source = values.binding.source;
    }

    MailConfig mail(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        MailConfig.Smtp smtp = f.req("smtp", values.object(this::smtp), "smtp: { host: ..., port: 587 }");
        String from = f.req("from", values::email, "the sender address, like haagent@example.com");
        List<String> to = f.opt("to", values.list(values::email, false), null);
        boolean toIsBad = to == null && source.has(path + ".to");
        if (to == null) {
            to = List.of();
        }
        if (to.isEmpty() && !toIsBad) {
            findings.add(Rule.MAIL_NO_RECIPIENTS, source.has(path + ".to") ? source.at(path + ".to") : f.owner(),
                    path + ": no recipients; add to: [ops@example.com], or remove notify.mail to send no mail");
        }
        Set<MailConfig.MailEvent> events = f.opt("events", (en, ep) -> {
            List<MailConfig.MailEvent> listed = values.list(values.keyword(MailConfig.MailEvent.class), false).apply(en, ep);
            if (listed == null) {
                return null;
            }
            Set<MailConfig.MailEvent> set = EnumSet.noneOf(MailConfig.MailEvent.class);
            set.addAll(listed);
            return Collections.unmodifiableSet(set);
        }, MailConfig.MailEvent.byDefault());
        List<String> recipients = to;
        return f.done(() -> new MailConfig(smtp, from, recipients, events));
    }

    private MailConfig.Smtp smtp(Fields s) {
        String host = s.req("host", values::host, "the SMTP server, like smtp.example.com");
        int port = s.opt("port", values.port(), Defaults.SMTP_PORT);
        boolean starttls = s.opt("starttls", values::bool, Defaults.SMTP_STARTTLS);
        Optional<String> user = s.opt("username", values::nonEmpty);
        Optional<Secret> password = values.secret(s, "password");
        return s.done(() -> new MailConfig.Smtp(host, port, starttls, user, password));
    }
}
