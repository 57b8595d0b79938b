package io.haagent.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code notify.mail}: where transition, restart and escalation mails go. */
public record MailConfig(Smtp smtp, String from, List<String> to, Set<MailEvent> events) {

    public record Smtp(String host, int port, boolean starttls, Optional<String> username, Optional<Secret> password) {}

    public enum MailEvent { VRRP_TRANSITION, RESTART, ESCALATION, GIVE_UP, RELOAD_FAILED }
}
