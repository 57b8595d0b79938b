package io.haagent.agent.daemon;

import io.haagent.agent.mail.Mail;
import io.haagent.agent.mail.Mails;
import io.haagent.checker.CheckFlip;
import io.haagent.checker.CheckState;
import io.haagent.config.CheckSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A check's flips as operator mail, as monit mails every failed check: {@code check_down} when it goes DOWN,
 * {@code check_up} when a check that was DOWN is UP again, saying how long it was down. A check with
 * {@code notify: false} is not mailed; {@code notify.mail.events} filters in the mailer as for every mail.
 *
 * <p>A check a reload restarts goes back to UNKNOWN; one that was DOWN stays remembered as down, so its
 * first DOWN after the restart is not news and its first UP is mailed as its recovery.
 */
final class CheckMail {
    private final String host;
    private final Consumer<Mail> mail;
    /** Checks with {@code notify: false}; a reload replaces it. */
    private volatile Set<String> silent = Set.of();
    /** Check -> ticker time its failures began, while it is DOWN (or UNKNOWN after being DOWN). */
    private final Map<String, Long> downSince = new ConcurrentHashMap<>();

    CheckMail(String host, Consumer<Mail> mail) {
        this.host = host;
        this.mail = mail;
    }

    /** The checks of a new config: which are silent; removed ones are forgotten. */
    void apply(Map<String, CheckSpec> checks) {
        silent = Set.copyOf(checks.entrySet().stream().filter(e -> !e.getValue().timing().notifies())
                .map(Map.Entry::getKey).toList());
        downSince.keySet().retainAll(checks.keySet());
    }

    /** On the checker's listener thread, in the order of the flips. */
    void flipped(CheckFlip flip) {
        String check = flip.check();
        if (flip.to() == CheckState.DOWN) {
            if (downSince.putIfAbsent(check, flip.failingSinceNanos()) == null && !silent.contains(check)) {
                mail.accept(Mails.checkDown(host, check, flip.result().reason(),
                        Duration.ofNanos(flip.atNanos() - flip.failingSinceNanos()), flip.inARow(), Instant.now()));
            }
        } else if (flip.to() == CheckState.UP) {
            Long since = downSince.remove(check);
            if (since != null && !silent.contains(check)) {
                mail.accept(Mails.checkUp(host, check, flip.result().reason(), Duration.ofNanos(flip.atNanos() - since),
                        Instant.now()));
            }
        }
    }
}
