package io.haagent.agent.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogLineEncoderTest {
    private final LoggerContext context = new LoggerContext();
    private final LogLineEncoder encoder = new LogLineEncoder();
    private static final ObjectMapper JSON = new ObjectMapper();

    LogLineEncoderTest() {
        encoder.setContext(context);
        encoder.start();
    }

    @AfterEach
    void backToTheDefault() {
        LogLineEncoder.use(LogFormat.PLAIN);
        encoder.stop();
    }

    private LoggingEvent event(Level level, String message, Object... args) {
        LoggingEvent e = new LoggingEvent("fqcn", context.getLogger("io.haagent.agent.daemon.Failover"), level, message,
                null, args);
        e.setInstant(Instant.parse("2026-12-04T22:50:01.123Z"));
        e.setThreadName("vrrp-redis-vip");
        return e;
    }

    private String line(LoggingEvent e) {
        return new String(encoder.encode(e), StandardCharsets.UTF_8);
    }

    @Test
    void plain_isTheLineItAlwaysWas() {
        LogLineEncoder.use(LogFormat.PLAIN);
        String time = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
                .format(Instant.parse("2026-12-04T22:50:01.123Z").atZone(ZoneId.systemDefault()));
        assertEquals(time + " WARN  (redis-vip) BACKUP -> MASTER [event 0a1b2c3d]" + System.lineSeparator(),
                line(event(Level.WARN, "({}) BACKUP -> MASTER [event {}]", "redis-vip", "0a1b2c3d")));
    }

    @Test
    void json_oneObjectPerLine_withTheEventIdAsAField() throws Exception {
        LogLineEncoder.use(LogFormat.JSON);
        String line = line(event(Level.INFO, "({}) BACKUP -> MASTER: peer 10.0.1.11 silent for 3.1s [event {}]",
                "redis-vip", "0a1b2c3d"));
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, line);
        JsonNode j = JSON.readTree(line);
        assertEquals("INFO", j.get("level").asText());
        assertEquals("io.haagent.agent.daemon.Failover", j.get("logger").asText());
        assertEquals("vrrp-redis-vip", j.get("thread").asText());
        assertEquals("(redis-vip) BACKUP -> MASTER: peer 10.0.1.11 silent for 3.1s [event 0a1b2c3d]",
                j.get("message").asText());
        assertEquals("0a1b2c3d", j.get("event").asText());
        assertEquals(Instant.parse("2026-12-04T22:50:01.123Z"),
                java.time.OffsetDateTime.parse(j.get("time").asText()).toInstant());
        assertFalse(j.has("exception"));
    }

    @Test
    void json_aMailOfSeveralEventsCarriesThemAll_aSentenceWithoutOneHasNoField() throws Exception {
        LogLineEncoder.use(LogFormat.JSON);
        JsonNode mail = JSON.readTree(line(event(Level.INFO, "mailed 'x' to ops@example.com [event 0a1b2c3d 4e5f6g7h]")));
        assertEquals("0a1b2c3d 4e5f6g7h", mail.get("event").asText());
        JsonNode plainSentence = JSON.readTree(line(event(Level.INFO, "admin server listening on 127.0.0.1:9120")));
        assertFalse(plainSentence.has("event"), plainSentence.toString());
    }

    @Test
    void json_escapesWhatWouldBreakTheLine_andCarriesTheException() throws Exception {
        LogLineEncoder.use(LogFormat.JSON);
        LoggingEvent e = event(Level.ERROR, "hook said \"no\"\nsecond line");
        e.setThrowableProxy(new ch.qos.logback.classic.spi.ThrowableProxy(new IllegalStateException("boom")));
        String line = line(e);
        assertEquals(1, line.split("\n", -1).length - 1, "one line: " + line);
        JsonNode j = JSON.readTree(line);
        assertEquals("hook said \"no\"\nsecond line", j.get("message").asText());
        assertTrue(j.get("exception").asText().contains("java.lang.IllegalStateException: boom"), j.toString());
    }

    @Test
    void formatsAndLevels_areNamedInAnyCase_andNothingElse() {
        assertEquals(LogFormat.JSON, LogFormat.named(" JSON ").orElseThrow());
        assertTrue(LogFormat.named("xml").isEmpty());
        assertEquals(Level.DEBUG, LogLevels.named("Debug").orElseThrow());
        assertTrue(LogLevels.named("verbose").isEmpty(), "logback alone would take it as DEBUG");
    }

    // Issue 13: under systemd every line went to the journal at priority info, so journalctl -p warning showed nothing.
    @Test
    void journalPrefix_isTheSyslogPriority_onEveryLineOfTheRecord() {
        assertEquals(3, LogLineEncoder.syslogPriority(Level.ERROR));
        assertEquals(4, LogLineEncoder.syslogPriority(Level.WARN));
        assertEquals(6, LogLineEncoder.syslogPriority(Level.INFO));
        assertEquals(7, LogLineEncoder.syslogPriority(Level.DEBUG));
        assertEquals(7, LogLineEncoder.syslogPriority(Level.TRACE));
        // journald makes an entry of each line of a stream: the trace's lines keep the error's priority
        assertEquals("<3>failed\n<3>java.io.IOException: gone\n<3>\tat a.B.c(B.java:1)\n",
                LogLineEncoder.withPriority("failed\njava.io.IOException: gone\n\tat a.B.c(B.java:1)\n", Level.ERROR));
        assertEquals("<6>one line\n", LogLineEncoder.withPriority("one line\n", Level.INFO));
    }
}
