package io.haagent.agent.mail;

import io.haagent.config.MailConfig;
import io.haagent.time.Backoff;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends operator mail on one thread, {@code mail-sender}, without losing any.
 *
 * <p><b>Filtering.</b> Callers submit every mail; {@link #submit} drops those whose event is not in
 * {@code notify.mail.events}. This is the only place the filter is applied.
 *
 * <p><b>Never blocks its caller.</b> The callers are the VRRP loop and the heal loop, whose contracts say
 * they never block, so {@link #submit} only puts the mail in memory, in a queue of at most
 * {@value #QUEUE_LIMIT} mails, and returns; it does no file I/O. A mail that finds the queue full (the
 * sender thread is stuck on a disk that does not answer) is dropped and counted ({@link Status#dropped()},
 * {@code /status}); the first drop is logged with its event id, and the count when the queue drains. The
 * log has every event anyway.
 *
 * <p><b>Never lost.</b> The sender thread writes each queued mail to the spool ({@code state_dir/mail/},
 * forced to disk) before its first send attempt; the file is deleted only after the SMTP server accepted
 * the message ({@code Transport.sendMessage} returned). While the server cannot be reached or
 * refuses, the sender retries the same mail, first after 1 s, doubling up to 5 min, and later mails
 * wait behind it, so order is kept. {@link #start} first loads what an earlier run left in the spool and
 * sends it. Delivery is at least once: a crash between the server's acceptance and the file's deletion
 * sends that mail again, and so does a crash before the sender spooled a mail it had queued. If the spool
 * cannot be written the mail is still sent from memory (and lost only if the agent stops first); that is
 * logged as an error. {@link #close} spools what is queued before the sender ends.
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
 * A VRRP instance that became MASTER or FAULT ({@link Mail#urgent()}) is never held by a window: it
 * leaves at once, with what the window held so far.
 *
 * <p>A config reload closes this mailer, then starts another on the same spool, which loads what was
 * pending.
 */
public final class Mailer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Mailer.class);
    static final int MAX_DIGEST = 100;
    /**
     * Mails submitted and not yet taken by the sender thread. It takes them within milliseconds unless the
     * disk stalls; a burst is what the digest window is for, and a thousand mails are a few MB.
     */
    static final int QUEUE_LIMIT = 1000;

    /**
     * What {@code /status} can show: mails not yet accepted, why the last attempt failed, and how many
     * mails were dropped since the start because the queue was full.
     */
    public record Status(int pending, Optional<String> lastFailure, long dropped) {}

    /** Timings and the queue bound; tests shorten them. */
    record Settings(Duration window, Duration firstBackoff, Duration maxBackoff, Duration timeout, int queueLimit) {
        static final Settings DEFAULT =
                new Settings(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10));

        Settings(Duration window, Duration firstBackoff, Duration maxBackoff, Duration timeout) {
            this(window, firstBackoff, maxBackoff, timeout, QUEUE_LIMIT);
        }
    }

    private final MailConfig config;
    private final String host;
    private final MailSpool spool;
    private final SmtpSender smtp;
    private final Settings settings;
    private final Ticker ticker;
    private final Runnable onSendFailure;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Optional<String> lastFailure = Optional.empty();
    private final Thread thread;
    /** What an earlier run left in the spool; the sender takes it first. */
    private final List<MailSpool.Entry> left;

    // The queue between the callers and the sender. Not a BlockingQueue with interrupts: an interrupt
    // during a spool write closes the FileChannel (ClosedByInterruptException) and loses that mail.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final ArrayDeque<Mail> inbox = new ArrayDeque<>(); // guarded by lock
    private boolean closed; // guarded by lock
    private boolean senderDone; // guarded by lock: the sender took its last mail from the inbox
    private int droppedSinceDrain; // guarded by lock
    private long dropped; // guarded by lock

    private Mailer(MailConfig config, String host, MailSpool spool, Settings settings, Ticker ticker,
                   Runnable onSendFailure) {
        this.config = Objects.requireNonNull(config, "config");
        this.onSendFailure = onSendFailure;
        this.ticker = ticker;
        this.host = Objects.requireNonNull(host, "host");
        this.settings = settings;
        this.spool = spool;
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
        this.left = left; // the sender takes these before any submitted mail: order is kept
        pending.addAndGet(left.size());
        this.thread = Thread.ofPlatform().name("mail-sender").daemon(true).unstarted(this::run);
    }

    /**
     * Loads what an earlier run left in {@code stateDir/mail/} and starts the sender.
     *
     * @param host the node name, shown in digest subjects (each {@link Mail} carries its own)
     */
    public static Mailer start(MailConfig config, String host, Path stateDir) {
        return start(config, host, stateDir, () -> {});
    }

    /** As {@link #start(MailConfig, String, Path)}; {@code onSendFailure} hears each failed attempt (the metric). */
    public static Mailer start(MailConfig config, String host, Path stateDir, Runnable onSendFailure) {
        Mailer m = new Mailer(config, host, new MailSpool(stateDir.resolve("mail")), Settings.DEFAULT, Ticker.SYSTEM,
                onSendFailure);
        m.thread.start();
        return m;
    }

    static Mailer start(MailConfig config, String host, Path stateDir, Settings settings) {
        return start(config, host, new MailSpool(stateDir.resolve("mail")), settings);
    }

    static Mailer start(MailConfig config, String host, MailSpool spool, Settings settings) {
        return start(config, host, spool, settings, Ticker.SYSTEM);
    }

    static Mailer start(MailConfig config, String host, MailSpool spool, Settings settings, Ticker ticker) {
        Mailer m = new Mailer(config, host, spool, settings, ticker, () -> {});
        m.thread.start();
        return m;
    }

    /**
     * Queues the mail and returns; no file I/O, no waiting (the callers' loops must not block). The sender
     * thread spools it, then sends it. Mails whose event is not in {@code notify.mail.events} are dropped
     * here, and so is a mail that finds {@link Settings#queueLimit} mails queued (counted and logged).
     * After {@link #close()} the mail is only spooled, for the next mailer to send.
     */
    public void submit(Mail mail) {
        if (!config.events().contains(mail.event())) {
            return;
        }
        lock.lock();
        try {
            if (!senderDone) {
                if (inbox.size() >= settings.queueLimit()) {
                    dropped++;
                    if (droppedSinceDrain++ == 0) {
                        log.error("dropped mail '{}' because {} mails wait to be spooled (the spool {} is slow or"
                                + " stuck); further drops are counted, not logged, until the queue drains [event {}]",
                                mail.subject(), inbox.size(), spool.dir(), String.join(" ", mail.eventIds()));
                    }
                    return;
                }
                inbox.addLast(mail);
                pending.incrementAndGet();
                woken.signal();
                return;
            }
        } finally {
            lock.unlock();
        }
        // Only a caller racing a reload or a shutdown gets here, after the sender has ended.
        if (persist(mail).file().isPresent()) {
            log.info("spooled mail '{}' after the mailer closed; the next start sends it [event {}]",
                    mail.subject(), String.join(" ", mail.eventIds()));
        }
    }

    /**
     * Makes the sender read the ticker now rather than when its wait times out: for a ticker that
     * jumps (a test's fake one), the wait for the next wake-up is measured on the real clock.
     */
    void wake() {
        lock.lock();
        try {
            woken.signal();
        } finally {
            lock.unlock();
        }
    }

    public Status status() {
        lock.lock();
        try {
            return new Status(pending.get(), lastFailure, dropped);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the sender; it spools what is queued, and unsent mail stays in the spool for the next start.
     * Waits for a send in flight (bounded by the SMTP timeouts) and for those spool writes; past that
     * bound this thread spools what the sender has not taken yet.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            woken.signal();
        } finally {
            lock.unlock();
        }
        Duration bound = settings.timeout().multipliedBy(3).plusSeconds(1);
        boolean stopped = false;
        try {
            stopped = thread.join(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stopped) {
            List<Mail> queued = takeAll(true);
            log.warn("mail sender did not stop within {}; spooling the {} mail(s) it had not taken on the closing"
                    + " thread, and its spooled mail may be sent twice", text(bound), queued.size());
            queued.forEach(this::persist);
        }
    }

    /** Empties the inbox; {@code last}: the sender takes nothing more, later submits spool on their own. */
    private List<Mail> takeAll(boolean last) {
        lock.lock();
        try {
            List<Mail> taken = new ArrayList<>(inbox);
            inbox.clear();
            senderDone |= last;
            if (droppedSinceDrain > 0) {
                log.error("dropped {} mail(s) because the queue to the spool {} was full ({} mails); it has drained,"
                        + " the log has their events", droppedSinceDrain, spool.dir(), settings.queueLimit());
                droppedSinceDrain = 0;
            }
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Writes the mail durably; when that fails, the entry holds it in memory only. */
    private MailSpool.Entry persist(Mail mail) {
        try {
            return spool.write(mail);
        } catch (IOException e) {
            log.error("could not write mail '{}' to the spool {} because {}; sending it from memory, it is lost"
                    + " if the agent stops before the server accepts it [event {}]",
                    mail.subject(), spool.dir(), e.toString(), String.join(" ", mail.eventIds()));
            return new MailSpool.Entry(mail, Optional.empty());
        }
    }

    // ---- the sender thread ----------------------------------------------------------------------

    private void run() {
        Grouper<MailSpool.Entry> grouper = new Grouper<>(settings.window().toNanos());
        Deque<List<MailSpool.Entry>> outbox = new ArrayDeque<>();
        Backoff backoff = new Backoff(settings.firstBackoff(), settings.maxBackoff());
        long retryAt = 0;
        int attempts = 0; // failed attempts for the batch at the head of the outbox
        long started = ticker.nanoTime();
        for (MailSpool.Entry e : left) {
            outbox.addAll(grouper.offer(e, started));
        }
        while (true) {
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
            boolean closing = awaitMail(bounded, wake);
            List<Mail> taken = takeAll(closing);
            // Spooled before the first attempt, so "nothing lost" holds from here on.
            List<MailSpool.Entry> entries = taken.stream().map(this::persist).toList();
            if (closing) {
                return;
            }
            now = ticker.nanoTime();
            for (MailSpool.Entry e : entries) {
                outbox.addAll(grouper.offer(e, now, e.mail().urgent()));
            }
            outbox.addAll(grouper.due(now));
            if (outbox.isEmpty() || (attempts > 0 && now - retryAt < 0)) {
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
                Duration wait = backoff.wait(attempts);
                if (attempts == 1 || !lastFailure.equals(Optional.of(why))) {
                    log.warn("mail '{}' was not sent because {}; kept in the spool, retrying in {} [event {}]",
                            mail.subject(), why, text(wait), String.join(" ", mail.eventIds()));
                } else {
                    log.debug("mail '{}' was not sent because {} (attempt {}); retrying in {}",
                            mail.subject(), why, attempts, text(wait));
                }
                lastFailure = Optional.of(why);
                onSendFailure.run();
                retryAt = ticker.nanoTime() + wait.toNanos();
                continue;
            }
            outbox.removeFirst();
            pending.addAndGet(-batch.size());
            lastFailure = Optional.empty();
            log.info("mailed '{}' to {}{} [event {}]", mail.subject(), String.join(", ", config.to()),
                    attempts > 0 ? " after " + (attempts + 1) + " attempts" : "", String.join(" ", mail.eventIds()));
            attempts = 0;
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

    /**
     * Waits until a mail is queued, {@code close()} is called, or {@code wake} (when {@code bounded});
     * returns whether the mailer is closing.
     */
    private boolean awaitMail(boolean bounded, long wake) {
        lock.lock();
        try {
            while (!closed && inbox.isEmpty()) {
                long remaining = wake - ticker.nanoTime();
                if (bounded && remaining <= 0) {
                    break;
                }
                if (bounded) {
                    woken.awaitNanos(remaining);
                } else {
                    woken.await();
                }
            }
            return closed;
        } catch (InterruptedException e) {
            return true; // nobody interrupts this thread; if someone does, stop as close() would
        } finally {
            lock.unlock();
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
