package io.haagent.agent.daemon;

import io.haagent.agent.mail.Mail;
import io.haagent.agent.mail.Mails;
import io.haagent.checker.CheckFlip;
import io.haagent.checker.CheckState;
import io.haagent.config.CheckSpec;
import io.haagent.config.ServiceSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A check's flips as operator mail, as monit mails every failed check: {@code check_down} when it goes DOWN,
 * {@code check_up} when a check that was DOWN is UP again, saying how long it was down. A check with
 * {@code notify: false} is not mailed; {@code notify.mail.events} filters in the mailer as for every mail.
 *
 * <p>A check a reload restarts goes back to UNKNOWN; one that was DOWN stays remembered as down, so its
 * first DOWN after the restart is not news and its first UP is mailed as its recovery.
 *
 * <p>A check of a service haagent starts itself ({@code process}) is down at boot until the child
 * listens: that first DOWN is no news, and mailing it (and its UP) would mail every agent start. Such a
 * check is mailed from its first UP on; a child that never comes up is healing's to report (its restarts,
 * its give-up). Nor is the DOWN of a check whose services an operator stopped ({@code haagent ctl stop}).
 */
final class CheckMail {
    private final String host;
    private final Consumer<Mail> mail;
    /** Checks with {@code notify: false}; a reload replaces it. */
    private volatile Set<String> silent = Set.of();
    /** Checks of services haagent starts itself; a reload replaces it. */
    private volatile Set<String> ofStartedServices = Set.of();
    /** Checks that have been UP since this agent started. */
    private final Set<String> seenUp = ConcurrentHashMap.newKeySet();
    /** Check -> ticker time its failures began, while it is DOWN (or UNKNOWN after being DOWN). */
    private final Map<String, Long> downSince = new ConcurrentHashMap<>();

    /** Whether a check belongs only to services an operator stopped ({@code haagent ctl stop}). */
    private final Predicate<String> ofStoppedServices;

    CheckMail(String host, Consumer<Mail> mail, Predicate<String> ofStoppedServices) {
        this.host = host;
        this.mail = mail;
        this.ofStoppedServices = ofStoppedServices;
    }

    /**
     * The checks of a new config: which are silent, which belong to a service haagent starts ({@code
     * ofStartedServices}); removed ones are forgotten.
     */
    void apply(Map<String, CheckSpec> checks, Set<String> ofStartedServices) {
        silent = Set.copyOf(checks.entrySet().stream().filter(e -> !e.getValue().timing().notifies())
                .map(Map.Entry::getKey).toList());
        this.ofStartedServices = Set.copyOf(ofStartedServices);
        downSince.keySet().retainAll(checks.keySet());
        seenUp.retainAll(checks.keySet());
    }

    /** The checks of the services whose child haagent starts ({@code process}): down at boot by nature. */
    static Set<String> ofStartedServices(Map<String, ServiceSpec> services) {
        return services.values().stream()
                .filter(s -> s.means().orElse(null) instanceof ServiceSpec.Process)
                .flatMap(s -> s.checks().stream())
                .collect(Collectors.toUnmodifiableSet());
    }

    /** On the checker's listener thread, in the order of the flips. */
    void flipped(CheckFlip flip) {
        String check = flip.check();
        if (flip.to() == CheckState.DOWN) {
            if (ofStartedServices.contains(check) && !seenUp.contains(check)) {
                return; // its child is not up yet: the boot, not news
            }
            if (ofStoppedServices.test(check)) {
                return; // an operator stopped its service: the stop, not news; nor is the UP after the start
            }
            if (downSince.putIfAbsent(check, flip.failingSinceNanos()) == null && !silent.contains(check)) {
                mail.accept(Mails.checkDown(host, check, flip.result().reason(),
                        Duration.ofNanos(flip.atNanos() - flip.failingSinceNanos()), flip.inARow(), Instant.now()));
            }
        } else if (flip.to() == CheckState.UP) {
            seenUp.add(check);
            Long since = downSince.remove(check);
            if (since != null && !silent.contains(check)) {
                mail.accept(Mails.checkUp(host, check, flip.result().reason(), Duration.ofNanos(flip.atNanos() - since),
                        Instant.now()));
            }
        }
    }
}
