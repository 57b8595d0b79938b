package io.haagent.agent.heal;

import io.haagent.config.MailConfig.MailEvent;
import java.util.Optional;

/**
 * Something operators hear about (log, mail, state file, metrics), with a short unique id that also
 * ends the log sentence, so one grep finds the decision, the mail and the state file.
 *
 * @param service empty for node-wide events (the host restart budget)
 */
public record HealEvent(String id, Kind kind, Optional<String> service, String sentence) {

    public enum Kind {
        /** A restart was ordered (by the policy or by an operator). */
        RESTART,
        /** The service went FATAL. */
        GIVE_UP,
        /** A VM restart was ordered. */
        ESCALATION,
        /** A VM restart an escalation ordered finished well: what {@code haagent_escalations_total} counts. */
        VM_RESTARTED,
        /** The host restart budget was spent: restarts are held, the host is suspect. One per episode. */
        HOST_HELD,
        /** The host restart budget has room again: no restart is held any more. */
        HOST_RELEASED;

        /**
         * The {@code notify.mail.events} word that selects this kind, if any. Holding every restart on
         * the host is a give-up for a while, so it mails with {@code give_up}.
         */
        public Optional<MailEvent> mailEvent() {
            return switch (this) {
                case RESTART -> Optional.of(MailEvent.RESTART);
                case GIVE_UP, HOST_HELD -> Optional.of(MailEvent.GIVE_UP);
                case ESCALATION -> Optional.of(MailEvent.ESCALATION);
                case HOST_RELEASED, VM_RESTARTED -> Optional.empty();
            };
        }
    }
}
