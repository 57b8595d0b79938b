package io.haagent.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.haagent.linux.JournalStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's one log encoder ({@link LogSetup} sets it): plain lines, or JSON lines with the event id as a
 * field. The format is {@link #use chosen} by {@code haagent run} from its flag before the daemon logs;
 * without a choice it comes from {@code HAAGENT_LOG_FORMAT}, and an unknown word there means plain
 * ({@code haagent run} refuses it before, saying so; other commands hardly log).
 *
 * <p>When stdout is systemd's journal ({@link JournalStream}), every line starts with its syslog priority,
 * {@code <3>} to {@code <7>}, which journald takes off and keeps as the entry's priority, so that
 * {@code journalctl -p warning} filters. journald makes one entry of each line of a stream and reads the prefix
 * of each, so a stack trace's lines carry the record's prefix too: they stay with their error under {@code -p err}.
 */
public final class LogLineEncoder extends EncoderBase<ILoggingEvent> {
    /** The plain line, as it has always been: time with offset, level, the sentence, a short stack trace. */
    static final String PLAIN_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %msg%n%ex{short}";

    /** The suffix every decision sentence ends with (healing, VRRP, mail): {@code [event 0a1b2c3d]}, or several ids. */
    private static final Pattern EVENT = Pattern.compile("\\[event ([0-9a-z]{8}(?: [0-9a-z]{8})*)]");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    private static final JsonFactory JSON = new JsonFactory();

    private static volatile LogFormat chosen;

    private final PatternLayout plain = new PatternLayout();
    private final ZoneId zone = ZoneId.systemDefault();
    private boolean journal;

    /** Chooses the format of every line from now on, over {@code HAAGENT_LOG_FORMAT}. */
    public static void use(LogFormat format) {
        chosen = format;
    }

    static LogFormat format() {
        LogFormat f = chosen;
        return f != null ? f : LogFormat.configured().flatMap(LogFormat::named).orElse(LogFormat.PLAIN);
    }

    @Override
    public void start() {
        plain.setContext(getContext());
        plain.setPattern(PLAIN_PATTERN);
        plain.start();
        journal = JournalStream.isStdout();
        super.start();
    }

    @Override
    public void stop() {
        plain.stop();
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String line = format() == LogFormat.JSON ? json(event) : plain.doLayout(event);
        return (journal ? withPriority(line, event.getLevel()) : line).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code text} with {@code <N>} before each of its lines: N the syslog priority of {@code level} (sd-daemon(3)). */
    static String withPriority(String text, Level level) {
        String prefix = "<" + syslogPriority(level) + ">";
        StringBuilder out = new StringBuilder(text.length() + 8);
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int end = nl < 0 ? text.length() : nl + 1;
            out.append(prefix).append(text, from, end);
            from = end;
        }
        return out.toString();
    }

    /** ERROR is LOG_ERR (3), WARN LOG_WARNING (4), INFO LOG_INFO (6), DEBUG and TRACE LOG_DEBUG (7). */
    static int syslogPriority(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> 3;
            case Level.WARN_INT -> 4;
            case Level.INFO_INT -> 6;
            default -> 7;
        };
    }

    /** One object per line; {@code event} only when the sentence carries one, {@code exception} only with one. */
    String json(ILoggingEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            String message = event.getFormattedMessage();
            g.writeStartObject();
            g.writeStringField("time", TIME.format(event.getInstant().atZone(zone)));
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", message);
            Matcher m = EVENT.matcher(message == null ? "" : message);
            String id = null;
            while (m.find()) {
                id = m.group(1); // the last: a sentence may quote an earlier event's suffix
            }
            if (id != null) {
                g.writeStringField("event", id);
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.append('\n').toString();
    }
}
