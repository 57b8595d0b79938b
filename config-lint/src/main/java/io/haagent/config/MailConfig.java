package io.haagent.config;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code notify.mail}: where transition, restart, escalation and check mails go. */
public record MailConfig(Smtp smtp, String from, List<String> to, Set<MailEvent> events) {

    public record Smtp(String host, int port, boolean starttls, Optional<String> username, Optional<Secret> password) {}

    /** The {@code notify.mail.events} words. */
    public enum MailEvent {
        /** A VRRP instance changed state after its start: BACKUP -> MASTER, MASTER -> FAULT, ... */
        VRRP_TRANSITION,
        /**
         * An instance's first state after it started (INIT -> BACKUP/MASTER/FAULT): every agent start and
         * every instance restart by a reload says it, so it is not mailed unless listed.
         */
        VRRP_START,
        RESTART, ESCALATION, GIVE_UP, RELOAD_FAILED,
        /** A check went DOWN (monit mails every failed check); silenced per check by {@code notify: false}. */
        CHECK_DOWN,
        /** A check that was DOWN is UP again. */
        CHECK_UP;

        /** What is mailed when {@code events} is left out: all but {@link #VRRP_START}. */
        public static Set<MailEvent> byDefault() {
            return Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(VRRP_START)));
        }
    }
}
