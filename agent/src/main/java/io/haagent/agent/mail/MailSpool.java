package io.haagent.agent.mail;

import io.haagent.config.MailConfig.MailEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail not yet accepted by the SMTP server, one file per mail under {@code state_dir/mail/}.
 *
 * <p>A file is named {@code <epoch millis>-<sequence>-<first event id>.mail}: fixed-width numbers, so the
 * names sort in submission order. It is written to a dot-file, forced to disk and renamed into place, so
 * a crash leaves either the whole mail or a leftover dot-file (removed at the next start). Its text:
 *
 * <pre>
 * haagent-mail 1
 * event: vrrp_transition
 * host: web01
 * summary: redis-vip BACKUP -> MASTER
 * event-ids: 3kq9x2ab
 * created: 2026-11-22T03:01:42.123Z
 *
 * (the body, as is, to the end of the file)
 * </pre>
 *
 * A file that does not parse is moved to {@code mail/bad/} with a warning, once, and never retried.
 *
 * <p>Only the {@code mail-sender} thread writes (see {@link Mailer}); not final so that a test can watch
 * which thread writes and when.
 */
class MailSpool {
    private static final Logger log = LoggerFactory.getLogger(MailSpool.class);
    static final String MAGIC = "haagent-mail 1";
    private static final String SUFFIX = ".mail";
    private static final String TMP_PREFIX = ".tmp-";

    /** A mail and the file that holds it; no file when the spool write failed (the mail lives in memory only). */
    record Entry(Mail mail, Optional<Path> file) {}

    private final Path dir;
    private final AtomicLong sequence = new AtomicLong();

    MailSpool(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /**
     * What a previous run left: the spooled mails in submission order. Leftover temporary files are
     * deleted (their mail never finished being written); files that do not parse go to {@code bad/}.
     */
    List<Entry> load() throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(TMP_PREFIX)) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(SUFFIX) && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        List<Entry> entries = new ArrayList<>();
        for (Path p : files) {
            try {
                entries.add(new Entry(parse(Files.readString(p, StandardCharsets.UTF_8)), Optional.of(p)));
            } catch (IOException | IllegalArgumentException e) {
                moveAside(p, e.getMessage());
            }
        }
        return entries;
    }

    /** Writes the mail durably (the file and the directory forced to disk) before any send attempt. */
    Entry write(Mail mail) throws IOException {
        Files.createDirectories(dir);
        String id = mail.eventIds().isEmpty() ? "mail" : mail.eventIds().getFirst().replaceAll("[^A-Za-z0-9_-]", "_");
        String name = String.format(Locale.ROOT, "%013d-%09d-%s%s", System.currentTimeMillis(),
                sequence.getAndIncrement(), id.length() > 40 ? id.substring(0, 40) : id, SUFFIX);
        Path tmp = dir.resolve(TMP_PREFIX + name);
        Path file = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(format(mail).getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file);
        }
        forceDirectory();
        return new Entry(mail, Optional.of(file));
    }

    /** After the server accepted the mail. */
    void delete(Entry e) throws IOException {
        if (e.file().isPresent()) {
            Files.deleteIfExists(e.file().get());
        }
    }

    private void moveAside(Path p, String why) {
        Path bad = dir.resolve("bad");
        try {
            Files.createDirectories(bad);
            Files.move(p, bad.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            log.warn("moved spooled mail {} to {} because it is not a mail file ({}); it will not be sent",
                    p.getFileName(), bad, why);
        } catch (IOException e) {
            log.warn("skipped spooled mail {} because it is not a mail file ({}), and could not move it to {}: {}",
                    p, why, bad, e.toString());
        }
    }

    /** The rename must reach the disk too; not every platform can force a directory, and that is not an error. */
    private void forceDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("could not force spool directory {}: {}", dir, e.toString());
        }
    }

    static String format(Mail m) {
        return MAGIC + "\n"
                + "event: " + m.event().name().toLowerCase(Locale.ROOT) + "\n"
                + "host: " + m.host() + "\n"
                + "summary: " + m.summary() + "\n"
                + "event-ids: " + String.join(" ", m.eventIds()) + "\n"
                + "created: " + m.created() + "\n"
                + "\n"
                + m.body();
    }

    /** @throws IllegalArgumentException saying what is wrong, when the text is not a spooled mail */
    static Mail parse(String text) {
        int end = text.indexOf("\n\n");
        if (!text.startsWith(MAGIC + "\n") || end < 0) {
            throw new IllegalArgumentException("does not start with '" + MAGIC + "' and a header");
        }
        Map<String, String> h = new HashMap<>();
        for (String line : text.substring(MAGIC.length() + 1, end).split("\n")) {
            int colon = line.indexOf(": ");
            if (colon <= 0) {
                throw new IllegalArgumentException("header line without 'key: value': " + line);
            }
            h.put(line.substring(0, colon), line.substring(colon + 2));
        }
        for (String key : List.of("event", "host", "summary", "event-ids", "created")) {
            if (!h.containsKey(key)) {
                throw new IllegalArgumentException("no '" + key + "' header");
            }
        }
        MailEvent event;
        Instant created;
        try {
            event = MailEvent.valueOf(h.get("event").toUpperCase(Locale.ROOT));
            created = Instant.parse(h.get("created"));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("bad header: " + e.getMessage());
        }
        List<String> ids = Arrays.stream(h.get("event-ids").split(" ")).filter(s -> !s.isBlank()).toList();
        return new Mail(event, h.get("host"), h.get("summary"), text.substring(end + 2), ids, created);
    }
}
