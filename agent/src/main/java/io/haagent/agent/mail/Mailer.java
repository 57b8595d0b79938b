package io.haagent.agent.mail;

import io.haagent.config.MailConfig;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends operator mail on one thread, {@code mail-sender}, without losing any.
 *
 * <p><b>Filtering.</b> Callers submit every mail; {@link #submit} drops those whose event is not in
 * {@code notify.mail.events}. This is the only place the filter is applied.
 *
 * <p><b>Never lost.</b> {@link #submit} writes the mail to the spool ({@code state_dir/mail/}) on the
 * caller's thread, before any send attempt, and returns; the file is deleted only after the SMTP server
 * accepted the message ({@code Transport.sendMessage} returned). While the server cannot be reached or
 * refuses, the sender retries the same mail, first after 1 s, doubling up to 5 min, and later mails
 * wait behind it, so order is kept. {@link #start} first loads what an earlier run left in the spool and
 * sends it. Delivery is at least once: a crash between the server's acceptance and the file's deletion
 * sends that mail again. If the spool cannot be written the mail is still sent from memory (and lost
 * only if the agent stops first); that is logged as an error.
 *
 * <p><b>Bursts.</b> The first mail goes at once: a lone VRRP transition is what an operator wants to
 * read now, and making it wait for a window that may stay empty would delay exactly that mail. It opens
 * a window (10 s); mails submitted within it are held and leave together, as one digest, at the
 * window's end ("[haagent] web01: 5 events (redis-vip BACKUP -> MASTER, service app restarted ×4)");
 * a burst that goes on gets one digest per window. The digest's body holds every held mail's body, so
 * every event id appears in it; the individual spool files stay until the digest is accepted, so a crash
 * mid-window resends them. During an outage the mails queued behind a failing one are merged into it
 * at the next attempt (at most {@value #MAX_DIGEST} in one digest), so a recovered server gets a few
 * digests rather than a flood. One window per mailer: on a host every mail is about the same machine.
 *
 * <p>A config reload closes this mailer and starts another on the same spool; what was pending goes
 * with the new one.
 */
public final class Mailer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Mailer.class);
    static final int MAX_DIGEST = 100;

    /** What {@code /status} can show: mails not yet accepted, and why the last attempt failed. */
    public record Status(int pending, Optional<String> lastFailure) {}

    /** Timings; tests shorten them. */
    record Settings(Duration window, Duration firstBackoff, Duration maxBackoff, Duration timeout) {
        static final Settings DEFAULT =
                new Settings(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10));
    }

    private final MailConfig config;
    private final String host;
    private final MailSpool spool;
    private final SmtpSender smtp;
    private final Settings settings;
    private final Ticker ticker = Ticker.SYSTEM;
    private final LinkedBlockingQueue<MailSpool.Entry> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Optional<String> lastFailure = Optional.empty();
    private volatile boolean closed;
    private final Thread thread;

    private Mailer(MailConfig config, String host, Path stateDir, Settings settings) {
        this.config = Objects.requireNonNull(config, "config");
        this.host = Objects.requireNonNull(host, "host");
        this.settings = settings;
        this.spool = new MailSpool(stateDir.resolve("mail"));
        this.smtp = new SmtpSender(config, settings.timeout());
        List<MailSpool.Entry> left = List.of();
        try {
            left = spool.load();
        } catch (IOException e) {
            log.error("could not read the mail spool {} because {}; mail left there by an earlier run is not sent,"
                    + " new mail is still tried", spool.dir(), e.toString());
        }
        if (!left.isEmpty()) {
            log.info("resending {} mail(s) left in {} by an earlier run", left.size(), spool.dir());
        }
        inbox.addAll(left); // before any submit: the loaded mails go first
        pending.addAndGet(left.size());
        this.thread = Thread.ofPlatform().name("mail-sender").daemon(true).unstarted(this::run);
    }

    /**
     * Loads what an earlier run left in {@code stateDir/mail/} and starts the sender.
     *
     * @param host the node name, shown in digest subjects (each {@link Mail} carries its own)
     */
    public static Mailer start(MailConfig config, String host, Path stateDir) {
        return start(config, host, stateDir, Settings.DEFAULT);
    }

    static Mailer start(MailConfig config, String host, Path stateDir, Settings settings) {
        Mailer m = new Mailer(config, host, stateDir, settings);
        m.thread.start();
        return m;
    }

    /**
     * Spools the mail and returns; the sender thread sends it. Mails whose event is not in
     * {@code notify.mail.events} are dropped here. After {@link #close()} the mail is only spooled,
     * for the next mailer to send.
     */
    public void submit(Mail mail) {
        if (!config.events().contains(mail.event())) {
            return;
        }
        MailSpool.Entry entry;
        try {
            entry = spool.write(mail);
        } catch (IOException e) {
            log.error("could not write mail '{}' to the spool {} because {}; sending it from memory, it is lost"
                    + " if the agent stops before the server accepts it [event {}]",
                    mail.subject(), spool.dir(), e.toString(), String.join(" ", mail.eventIds()));
            entry = new MailSpool.Entry(mail, Optional.empty());
        }
        if (closed) {
            log.info("spooled mail '{}' after the mailer closed; the next start sends it [event {}]",
                    mail.subject(), String.join(" ", mail.eventIds()));
            return;
        }
        pending.incrementAndGet();
        inbox.add(entry);
    }

    public Status status() {
        return new Status(pending.get(), lastFailure);
    }

    /**
     * Stops the sender; unsent mail stays in the spool for the next start. Waits for a send in flight
     * (bounded by the SMTP timeouts).
     */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            if (!thread.join(settings.timeout().multipliedBy(3).plusSeconds(1))) {
                log.warn("mail sender did not stop within {}; its spooled mail may be sent twice", settings.timeout().multipliedBy(3));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the sender thread ----------------------------------------------------------------------

    private void run() {
        Grouper<MailSpool.Entry> grouper = new Grouper<>(settings.window().toNanos());
        Deque<List<MailSpool.Entry>> outbox = new ArrayDeque<>();
        Duration backoff = settings.firstBackoff();
        long retryAt = 0;
        int attempts = 0; // failed attempts for the batch at the head of the outbox
        while (!closed) {
            long now = ticker.nanoTime();
            long wake = Long.MAX_VALUE;
            boolean bounded = false;
            if (grouper.nextWakeNanos().isPresent()) {
                wake = grouper.nextWakeNanos().getAsLong();
                bounded = true;
            }
            if (!outbox.isEmpty()) {
                long sendAt = attempts > 0 ? retryAt : now;
                wake = bounded ? (sendAt - wake < 0 ? sendAt : wake) : sendAt;
                bounded = true;
            }
            MailSpool.Entry e;
            try {
                e = !bounded ? inbox.take() : inbox.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                return; // close()
            }
            now = ticker.nanoTime();
            for (; e != null; e = inbox.poll()) {
                outbox.addAll(grouper.offer(e, now));
            }
            outbox.addAll(grouper.due(now));
            if (outbox.isEmpty() || (attempts > 0 && now - retryAt < 0) || closed) {
                continue;
            }
            if (attempts > 0 && grouper.enabled()) {
                mergeQueued(outbox);
            }
            List<MailSpool.Entry> batch = outbox.peekFirst();
            Mail mail = Mails.digest(host, batch.stream().map(MailSpool.Entry::mail).toList());
            try {
                smtp.send(mail);
            } catch (Exception ex) { // MessagingException, IOException (password file), and what Angus throws unchecked
                String why = reason(ex);
                attempts++;
                if (attempts == 1 || !lastFailure.equals(Optional.of(why))) {
                    log.warn("mail '{}' was not sent because {}; kept in the spool, retrying in {} [event {}]",
                            mail.subject(), why, text(backoff), String.join(" ", mail.eventIds()));
                } else {
                    log.debug("mail '{}' was not sent because {} (attempt {}); retrying in {}",
                            mail.subject(), why, attempts, text(backoff));
                }
                lastFailure = Optional.of(why);
                retryAt = ticker.nanoTime() + backoff.toNanos();
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
                continue;
            }
            outbox.removeFirst();
            pending.addAndGet(-batch.size());
            lastFailure = Optional.empty();
            log.info("mailed '{}' to {}{} [event {}]", mail.subject(), String.join(", ", config.to()),
                    attempts > 0 ? " after " + (attempts + 1) + " attempts" : "", String.join(" ", mail.eventIds()));
            attempts = 0;
            backoff = settings.firstBackoff();
            for (MailSpool.Entry sent : batch) {
                try {
                    spool.delete(sent);
                } catch (IOException ex) {
                    log.error("could not delete sent mail {} from the spool because {}; the next start sends it again",
                            sent.file().orElseThrow(), ex.toString());
                }
            }
        }
    }

    /** Folds the batches queued behind the failing head into it, up to {@link #MAX_DIGEST} mails. */
    private static void mergeQueued(Deque<List<MailSpool.Entry>> outbox) {
        List<MailSpool.Entry> head = new ArrayList<>(outbox.removeFirst());
        while (!outbox.isEmpty() && head.size() + outbox.peekFirst().size() <= MAX_DIGEST) {
            head.addAll(outbox.removeFirst());
        }
        outbox.addFirst(head);
    }

    /** The exception and its causes in one line: "Couldn't connect to host, port: ...; Connection refused". */
    private static String reason(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null && b.length() < 500; c = c.getCause()) {
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().strip();
            if (b.indexOf(m) < 0) {
                b.append(b.isEmpty() ? "" : "; ").append(m);
            }
        }
        return b.toString().replaceAll("\\s*\\r?\\n\\s*", " ");
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
