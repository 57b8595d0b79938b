package io.haagent.agent.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.haagent.agent.heal.HealEvent.Kind;
import io.haagent.config.MailConfig;
import io.haagent.config.MailConfig.MailEvent;
import io.haagent.config.Secret;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.FakeTicker;
import io.haagent.testkit.FreePorts;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Against GreenMail, a real SMTP server in this JVM on 127.0.0.1. */
class MailerTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final Mailer.Settings NO_GROUPING =
            new Mailer.Settings(Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(5));

    @TempDir
    Path state;

    final int port = FreePorts.tcp();
    final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : started.reversed()) {
            c.close();
        }
    }

    GreenMail smtpServer(GreenMailConfiguration config) {
        GreenMail gm = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp")).withConfiguration(config);
        gm.start();
        started.add(gm::stop);
        return gm;
    }

    GreenMail smtpServer() {
        return smtpServer(GreenMailConfiguration.aConfig());
    }

    MailConfig config(boolean starttls, Optional<String> user, Optional<Secret> password) {
        return new MailConfig(new MailConfig.Smtp("127.0.0.1", port, starttls, user, password), "haagent@example.com",
                List.of("ops@example.com"), EnumSet.allOf(MailEvent.class));
    }

    MailConfig plain() {
        return config(false, Optional.empty(), Optional.empty());
    }

    Mailer mailer(MailConfig config, Mailer.Settings settings) {
        Mailer m = Mailer.start(config, "web01", state, settings);
        started.add(m);
        return m;
    }

    /** A mailer on a fake ticker: its windows and backoffs end when the test moves the ticker and wakes it. */
    Mailer mailer(MailConfig config, Mailer.Settings settings, FakeTicker ticker) {
        Mailer m = Mailer.start(config, "web01", new MailSpool(state.resolve("mail")), settings, ticker::nanoTime);
        started.add(m);
        return m;
    }

    Mailer mailer(MailConfig config, MailSpool spool, Mailer.Settings settings) {
        Mailer m = Mailer.start(config, "web01", spool, settings);
        started.add(m);
        return m;
    }

    /**
     * The real spool, with each write held until the test opens the gate, and the writing thread named.
     * The hold is bounded so that a write on the caller's thread fails the test instead of hanging it.
     */
    static final class GatedSpool extends MailSpool {
        final CountDownLatch gate = new CountDownLatch(1);
        final List<String> writers = new CopyOnWriteArrayList<>();

        GatedSpool(Path dir) {
            super(dir);
        }

        @Override
        Entry write(Mail mail) throws IOException {
            writers.add(Thread.currentThread().getName());
            boolean opened = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!opened && System.nanoTime() - deadline < 0) {
                try {
                    opened = gate.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    // a write is not interruptible either; keep holding
                }
            }
            return super.write(mail);
        }
    }

    ListAppender<ILoggingEvent> mailerLog() {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(Mailer.class);
        logger.addAppender(logged);
        logged.start();
        started.add(() -> logger.detachAppender(logged));
        return logged;
    }

    static Mail restart(String id) {
        return Mails.heal("web01", MailsTest.healEvent(id, Kind.RESTART, "app")).orElseThrow();
    }

    long spooled() throws IOException {
        Path dir = state.resolve("mail");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".mail")).count();
        }
    }

    /**
     * The sender waits for mail or for its next wake-up, after the last spool write the test saw: so
     * it has also grouped what it took, and moving the fake ticker now cannot overtake that.
     */
    static boolean senderWaiting() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(t -> t.getKey().getName().equals("mail-sender"))
                .allMatch(t -> (t.getKey().getState() == Thread.State.WAITING
                        || t.getKey().getState() == Thread.State.TIMED_WAITING)
                        && Arrays.stream(t.getValue()).anyMatch(f -> f.getMethodName().equals("awaitMail")));
    }

    static boolean spoolEmpty(MailerTest t) {
        return spooledCount(t) == 0;
    }

    static long spooledCount(MailerTest t) {
        try {
            return t.spooled();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String body(MimeMessage m) {
        try {
            return ((String) m.getContent()).replace("\r\n", "\n"); // SMTP carries CRLF
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void vrrpTransition_arrivesWithExactSubject_andTheBodyHasIdReasonPriorityMasterSteps() throws Exception {
        GreenMail gm = smtpServer();
        Mailer mailer = mailer(plain(), NO_GROUPING);

        mailer.submit(Mails.vrrpTransition("web01", MailsTest.promoted("3kq9x2ab"),
                List.of(new ActionLine("redis promote", "ok", Duration.ofMillis(12)))));

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 1));
        MimeMessage m = gm.getReceivedMessages()[0];
        assertEquals("[haagent] web01: redis-vip BACKUP -> MASTER", m.getSubject());
        assertEquals("haagent@example.com", m.getFrom()[0].toString());
        assertEquals("3kq9x2ab", m.getHeader("X-Haagent-Event-Ids")[0]);
        String body = body(m);
        for (String line : List.of("event id: 3kq9x2ab", "reason:   master silent for 3.6s", "priority: 100",
                "master:   10.0.1.10", "steps:", "  redis promote  ok  12 ms")) {
            assertTrue(body.contains(line), "body lacks '" + line + "':\n" + body);
        }
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(0, mailer.status().pending());
    }

    @Test
    void eventNotInTheConfiguredSet_isNotMailed() throws Exception {
        GreenMail gm = smtpServer();
        MailConfig onlyVrrp = new MailConfig(plain().smtp(), "haagent@example.com", List.of("ops@example.com"),
                EnumSet.of(MailEvent.VRRP_TRANSITION));
        Mailer mailer = mailer(onlyVrrp, NO_GROUPING);

        mailer.submit(restart("r1"));
        mailer.submit(Mails.vrrpTransition("web01", MailsTest.promoted("v1"), List.of()));

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 1));
        assertEquals(List.of("v1"), List.of(gm.getReceivedMessages()[0].getHeader("X-Haagent-Event-Ids")));
        Eventually.within(WAIT, "the spool is empty (a filtered mail is not spooled)", () -> spoolEmpty(this));
        assertEquals(1, gm.getReceivedMessages().length);
    }

    // Issue 12: INIT -> BACKUP/MASTER mailed on every start; by default it is not mailed any more.
    @Test
    void defaultEvents_startTransitionIsNotMailed_aLaterTransitionIs() throws Exception {
        GreenMail gm = smtpServer();
        MailConfig byDefault = new MailConfig(plain().smtp(), "haagent@example.com", List.of("ops@example.com"),
                MailEvent.byDefault());
        Mailer mailer = mailer(byDefault, NO_GROUPING);

        mailer.submit(Mails.vrrpTransition("web01", new io.haagent.failover.vrrp.instance.VrrpEvent("s1", "redis-vip",
                io.haagent.failover.vrrp.VrrpState.INIT, io.haagent.failover.vrrp.VrrpState.BACKUP, "started", 100,
                Optional.empty(), MailsTest.AT), List.of()));
        mailer.submit(Mails.vrrpTransition("web01", MailsTest.promoted("v1"), List.of()));

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 1));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(List.of("v1"), eventIds(gm));
    }

    // Issue 12: a restart mail opened a window that held the failover mail behind it for 10 s.
    @Test
    void windowOpen_aBecameMasterMail_leavesAtOnce_withWhatTheWindowHeld() throws Exception {
        GreenMail gm = smtpServer();
        FakeTicker ticker = new FakeTicker();
        Mailer mailer = mailer(plain(), new Mailer.Settings(Duration.ofSeconds(10), Duration.ofMillis(100),
                Duration.ofMillis(400), Duration.ofSeconds(5)), ticker);

        mailer.submit(restart("r1"));
        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 1));
        mailer.submit(restart("r2"));
        mailer.submit(Mails.vrrpTransition("web01", MailsTest.promoted("v1"), List.of()));

        // The fake ticker does not move: the window (10 s) is open all along.
        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 2), "the MASTER mail waited for the window");
        MimeMessage[] got = gm.getReceivedMessages();
        assertEquals("[haagent] web01: 2 events (service app restarted, redis-vip BACKUP -> MASTER)", got[1].getSubject());
        assertEquals(List.of("r1", "r2", "v1"), eventIds(gm));
    }

    @Test
    void wrongPassword_notAccepted_staysSpooled_thenTheRewrittenPasswordFileIsUsedOnRetry() throws Exception {
        GreenMail gm = smtpServer(GreenMailConfiguration.aConfig().withUser("haagent@example.com", "haagent", "right"));
        Path passFile = state.resolve("smtp.pass");
        Files.writeString(passFile, "wrong\n");
        Mailer mailer = mailer(config(false, Optional.of("haagent"), Optional.of(new Secret.FromFile(passFile))), NO_GROUPING);

        mailer.submit(restart("r1"));

        Eventually.within(WAIT, "an authentication failure is reported",
                () -> mailer.status().lastFailure().isPresent());
        assertTrue(mailer.status().lastFailure().get().contains("535"), mailer.status().lastFailure().get());
        assertEquals(0, gm.getReceivedMessages().length);
        assertEquals(1, spooled());
        assertEquals(1, mailer.status().pending());

        Files.writeString(passFile, "right\n"); // rotated: read again at the next attempt

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 1));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(Optional.empty(), mailer.status().lastFailure());
        assertEquals(1, gm.getReceivedMessages().length);
    }

    @Test
    void starttlsRequired_serverWithoutStarttls_getsNothingInPlainText() throws Exception {
        // GreenMail's SMTP does not offer STARTTLS, so only the refusal can be shown here.
        GreenMail gm = smtpServer(GreenMailConfiguration.aConfig().withUser("haagent@example.com", "haagent", "right"));
        Mailer mailer = mailer(config(true, Optional.of("haagent"), Optional.of(new Secret.Inline("right"))), NO_GROUPING);

        mailer.submit(restart("r1"));

        Eventually.within(WAIT, "a failure is reported", () -> mailer.status().lastFailure().isPresent());
        assertTrue(mailer.status().lastFailure().get().contains("STARTTLS"), mailer.status().lastFailure().get());
        assertFalse(gm.waitForIncomingEmail(300, 1));
        assertEquals(1, spooled());
    }

    @Test
    void outage_mailsWaitInTheSpool_thenArriveExactlyOnceInOrder() throws Exception {
        Mailer mailer = mailer(plain(), NO_GROUPING); // nothing listens on the port yet
        for (String id : List.of("o1", "o2", "o3")) {
            mailer.submit(restart(id));
        }
        Eventually.within(WAIT, "a connection failure is reported", () -> mailer.status().lastFailure().isPresent());
        // spooled by the mail thread, each before its first attempt: o2 and o3 may still be on their way
        Eventually.within(WAIT, "all three spooled", () -> spooledCount(this) == 3);
        assertEquals(3, spooled());
        assertEquals(3, mailer.status().pending());

        GreenMail gm = smtpServer();

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 3));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(List.of("o1", "o2", "o3"), eventIds(gm));
        assertEquals(0, mailer.status().pending());
    }

    @Test
    void outageWithGrouping_whatQueuedBehindTheFailingMailGoesAsOneDigest_noEventLostOrRepeated() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Mailer mailer = mailer(plain(), new Mailer.Settings(Duration.ofMillis(300), Duration.ofMillis(100),
                Duration.ofMillis(400), Duration.ofSeconds(5)), ticker);
        List<String> ids = List.of("ga", "gb", "gc", "gd", "ge");
        for (String id : ids) {
            mailer.submit(restart(id));
        }
        // the first mail failed alone; the other four were held for the window, then queued behind it
        Eventually.within(WAIT, "the first attempt failed", () -> mailer.status().lastFailure().isPresent());
        Eventually.within(WAIT, "all five grouped", () -> spooledCount(this) == 5 && senderWaiting());
        ticker.advance(Duration.ofMillis(500)); // past the window's end, so the digest is queued behind the failing head
        mailer.wake();

        GreenMail gm = smtpServer();

        // each look a second later on the fake ticker: past any backoff (400 ms at most)
        Eventually.within(WAIT, "the spool is empty", () -> {
            ticker.advance(Duration.ofSeconds(1));
            mailer.wake();
            return spoolEmpty(this);
        });
        assertEquals(ids, eventIds(gm));
        assertEquals(1, gm.getReceivedMessages().length, "merged into one digest at the retry");
        assertEquals("[haagent] web01: 5 events (service app restarted ×5)", gm.getReceivedMessages()[0].getSubject());
    }

    @Test
    void agentRestart_resendsWhatTheLastRunLeft_exactlyOnce() throws Exception {
        Mailer first = mailer(plain(), NO_GROUPING); // server down
        first.submit(restart("p1"));
        first.submit(restart("p2"));
        first.close();
        assertEquals(2, spooled());

        GreenMail gm = smtpServer();
        Mailer second = mailer(plain(), NO_GROUPING);
        assertEquals(2, second.status().pending());

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 2));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(List.of("p1", "p2"), eventIds(gm));
    }

    @Test
    void burst_firstMailAtOnce_theRestInOneDigest_everyEventIdExactlyOnce() throws Exception {
        GreenMail gm = smtpServer();
        FakeTicker ticker = new FakeTicker();
        Mailer mailer = mailer(plain(), new Mailer.Settings(Duration.ofSeconds(2), Duration.ofMillis(100),
                Duration.ofMillis(400), Duration.ofSeconds(5)), ticker);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add("b" + (char) ('a' + i) + "x"); // no id is a prefix of another
        }

        for (String id : ids) {
            mailer.submit(restart(id));
            ticker.advance(Duration.ofMillis(50)); // 20 events in one second
        }
        // The window (2 s) is still open: the 19 held mails are still spooled, each in its own file.
        Eventually.within(WAIT, "at least 19 spooled (the mail thread spools each as it takes it)",
                () -> spooledCount(this) >= 19);
        assertTrue(spooled() >= 19, "spooled: " + spooled());
        Eventually.within(WAIT, "the sender holding them", MailerTest::senderWaiting);
        ticker.advance(Duration.ofSeconds(2)); // the window, opened by the first mail within the last second, ends
        mailer.wake();

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 2));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        MimeMessage[] got = gm.getReceivedMessages();
        assertEquals(2, got.length);
        assertEquals("[haagent] web01: service app restarted", got[0].getSubject());
        assertEquals("[haagent] web01: 19 events (service app restarted ×19)", got[1].getSubject());
        for (String id : ids) {
            int n = 0;
            for (MimeMessage m : got) {
                n += occurrences(body(m), "event id: " + id + "\n");
            }
            assertEquals(1, n, "event " + id + " in the delivered bodies");
        }
        assertEquals(ids, eventIds(gm));
    }

    @Test
    void corruptSpoolFile_movedToBad_theOthersStillSent() throws Exception {
        new MailSpool(state.resolve("mail")).write(restart("good"));
        Files.writeString(state.resolve("mail/0000000000000-000000000-junk.mail"), "garbage\n");
        GreenMail gm = smtpServer();

        mailer(plain(), NO_GROUPING);

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 1));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(List.of("good"), eventIds(gm));
        assertTrue(Files.exists(state.resolve("mail/bad/0000000000000-000000000-junk.mail")));
    }

    // Issue 10 §4: submit wrote and forced the spool file on the caller's thread, the VRRP loop or the
    // heal loop, whose contracts say they never block.
    @Test
    void submit_returnsBeforeTheMailIsSpooled_theMailThreadSpoolsItBeforeItsFirstAttempt() throws Exception {
        GreenMail gm = smtpServer();
        GatedSpool spool = new GatedSpool(state.resolve("mail"));
        Mailer mailer = mailer(plain(), spool, NO_GROUPING);

        mailer.submit(restart("q1"));

        assertEquals(0, spooled(), "submit returned before the spool write was let through");
        assertEquals(1, mailer.status().pending());
        Eventually.within(WAIT, "the mail is being spooled", () -> !spool.writers.isEmpty());
        assertEquals(List.of("mail-sender"), spool.writers);
        // one thread spools and sends: held in the write, it has made no attempt yet
        assertEquals(0, gm.getReceivedMessages().length);

        spool.gate.countDown();

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 1));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(List.of("q1"), eventIds(gm));
        assertEquals(0, mailer.status().pending());
    }

    @Test
    void close_spoolsWhatWasQueuedButNotYetSpooled_andTheNextStartSendsItInOrder() throws Exception {
        GatedSpool spool = new GatedSpool(state.resolve("mail"));
        Mailer first = mailer(plain(), spool, NO_GROUPING); // server down
        first.submit(restart("c1"));
        Eventually.within(WAIT, "c1 is being spooled", () -> !spool.writers.isEmpty());
        first.submit(restart("c2"));
        first.submit(restart("c3"));
        assertEquals(0, spooled());

        spool.gate.countDown();
        first.close();

        assertEquals(3, spooled());
        GreenMail gm = smtpServer();
        mailer(plain(), NO_GROUPING);
        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 3));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(List.of("c1", "c2", "c3"), eventIds(gm));
    }

    @Test
    void flood_pastTheQueueLimit_theExtraMailsAreCountedAndLoggedOnce_theQueuedOnesSent() throws Exception {
        GreenMail gm = smtpServer();
        GatedSpool spool = new GatedSpool(state.resolve("mail"));
        ListAppender<ILoggingEvent> logged = mailerLog();
        Mailer mailer = mailer(plain(), spool, new Mailer.Settings(Duration.ZERO, Duration.ofMillis(100),
                Duration.ofMillis(400), Duration.ofSeconds(5), 2));
        mailer.submit(restart("f1"));
        Eventually.within(WAIT, "f1 is being spooled (the queue is empty again)", () -> !spool.writers.isEmpty());

        for (String id : List.of("f2", "f3", "f4", "f5", "f6")) {
            mailer.submit(restart(id));
        }

        assertEquals(3, mailer.status().dropped());
        assertEquals(3, mailer.status().pending());
        List<String> drops = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("dropped")).toList();
        assertEquals(1, drops.size(), drops.toString());
        assertTrue(drops.getFirst().contains("[event f4]"), drops.getFirst());

        spool.gate.countDown();

        assertTrue(gm.waitForIncomingEmail(WAIT.toMillis(), 3));
        Eventually.within(WAIT, "the spool is empty", () -> spoolEmpty(this));
        assertEquals(List.of("f1", "f2", "f3"), eventIds(gm));
        Eventually.within(WAIT, "the drained queue reports the count", () -> logged.list.stream()
                .anyMatch(e -> e.getFormattedMessage().startsWith("dropped 3 mail(s) because the queue")));
        assertEquals(new Mailer.Status(0, Optional.empty(), 3), mailer.status());
    }

    static List<String> eventIds(GreenMail gm) throws Exception {
        List<String> ids = new ArrayList<>();
        for (MimeMessage m : gm.getReceivedMessages()) {
            ids.addAll(List.of(m.getHeader("X-Haagent-Event-Ids")[0].split(" ")));
        }
        return ids;
    }

    static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
