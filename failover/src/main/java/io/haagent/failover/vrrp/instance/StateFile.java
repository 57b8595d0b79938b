package io.haagent.failover.vrrp.instance;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <stateDir>/<instance>.state}: the instance's last transition as {@code key=value} lines that
 * both {@code grep ^state=} and a shell's {@code .} can read (values with spaces are single-quoted):
 * <pre>
 * state=MASTER
 * since=2025-01-01T12:00:00.123Z
 * priority=100
 * master=10.0.1.10
 * event_id=3f9k2m7q
 * reason='master 10.0.1.11 silent for 3.6s'
 * </pre>
 * Replaced atomically, so a reader sees the old file or the new one, never half of one.
 *
 * <p>A MASTER that handed over for a planned agent restart adds when, with what advert interval, and how long the peer
 * holds ({@link #writeHandOver}); the next agent reads that once ({@link #handOver}) and its first transition rewrites
 * the file without it:
 * <pre>
 * handed_over_at=2025-01-01T12:00:05.456Z
 * handover_advert_centis=1000
 * handover_hold=30.00s
 * </pre>
 */
public final class StateFile {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.failover.vrrp");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:+@/=,-]*");

    private final Path dir;
    private final Path file;
    private final String instance;

    public StateFile(Path stateDir, String instance) {
        this.dir = stateDir;
        this.file = stateDir.resolve(instance + ".state");
        this.instance = instance;
    }

    public Path path() {
        return file;
    }

    /**
     * Writes the event as the instance's state. A failure is logged as an error and reported as
     * {@code false}, never thrown: a full disk must not stop the election.
     */
    public boolean write(VrrpEvent e) {
        return replace(eventText(e), e);
    }

    /**
     * Writes {@code e} (the MASTER transition in force) and that the instance handed over at {@code at}, advertising
     * {@code advertCentis}, so that the peer holds for {@code holdNanos}. Failures as for {@link #write}.
     */
    boolean writeHandOver(VrrpEvent e, Instant at, int advertCentis, long holdNanos) {
        return replace(eventText(e) + "handed_over_at=" + at + "\n"
                + "handover_advert_centis=" + advertCentis + "\n"
                + "handover_hold=" + String.format(Locale.ROOT, "%.2fs", holdNanos / 1e9) + "\n", e);
    }

    /** A previous agent's hand-over: when, and the advert interval the peer took. */
    record HandOver(Instant at, int advertCentis) {
        HandOver {
            if (advertCentis < 1 || advertCentis > 4095) {
                throw new IllegalArgumentException("handover_advert_centis must be 1..4095, got " + advertCentis);
            }
        }
    }

    /**
     * The hand-over {@code file} records, if it records one that can be read; a file that cannot be read, or a hand-over
     * that does not parse, is logged and counts as none: the instance then starts as ever.
     */
    static Optional<HandOver> handOver(Path file) {
        Map<String, String> m;
        try {
            m = read(file);
        } catch (IOException | RuntimeException e) {
            log.warn("could not read {} for a planned restart's hand-over ({}); starting as usual", file, e.toString());
            return Optional.empty();
        }
        String at = m.get("handed_over_at");
        if (at == null || !"MASTER".equals(m.get("state"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new HandOver(Instant.parse(at), Integer.parseInt(m.getOrDefault("handover_advert_centis", ""))));
        } catch (RuntimeException e) {
            log.warn("{} records a hand-over that does not parse ({}); starting as usual", file, e.toString());
            return Optional.empty();
        }
    }

    private static String eventText(VrrpEvent e) {
        return "state=" + e.to().enteredAs() + "\n"
                + "since=" + e.at() + "\n"
                + "priority=" + e.priority() + "\n"
                + "master=" + e.master().map(Object::toString).orElse("") + "\n"
                + "event_id=" + e.eventId() + "\n"
                + "reason=" + quote(e.reason()) + "\n";
    }

    private boolean replace(String text, VrrpEvent e) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // the temporary file lives in the same directory, so the move is a rename on one file system
            tmp = Files.createTempFile(dir, "." + instance + ".state.", ".tmp");
            Files.writeString(tmp, text);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException ex) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException | SecurityException ex) {
            log.error("({}) could not write state file {}: {}; the election goes on, but the file still says what "
                    + "it said before {} [event {}]; check that the state_dir exists and is writable", instance, file,
                    ex, e.to(), e.eventId());
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed loudly; a stray temp file is the lesser problem
                }
            }
            return false;
        }
    }

    /** The file's keys and values in file order (quotes removed); an empty map when there is no file. */
    public static Map<String, String> read(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    m.put(line.substring(0, eq), unquote(line.substring(eq + 1)));
                }
            }
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        return m;
    }

    /** One line, and safe to {@code .} in a shell: anything but plain characters goes in single quotes. */
    static String quote(String value) {
        String oneLine = value.replaceAll("[\\r\\n]+", " ");
        if (PLAIN.matcher(oneLine).matches()) {
            return oneLine;
        }
        return "'" + oneLine.replace("'", "'\\''") + "'";
    }

    static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
            return value.substring(1, value.length() - 1).replace("'\\''", "'");
        }
        return value;
    }
}
