package io.haagent.agent.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.MailConfig.MailEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailSpoolTest {
    @TempDir
    Path state;

    static Mail mail(String id) {
        return new Mail(MailEvent.RESTART, "web01", "service app restarted", "host: web01\n\nline after a blank line\n",
                List.of(id), Instant.parse("2026-11-22T03:01:42.123Z"));
    }

    @Test
    void written_thenLoaded_inSubmissionOrder_unchanged() throws IOException {
        MailSpool spool = new MailSpool(state.resolve("mail"));
        for (int i = 0; i < 12; i++) {
            spool.write(mail("id" + i));
        }
        List<Mail> loaded = new MailSpool(state.resolve("mail")).load().stream().map(MailSpool.Entry::mail).toList();
        assertEquals(12, loaded.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(mail("id" + i), loaded.get(i));
        }
    }

    @Test
    void deleted_isGone() throws IOException {
        MailSpool spool = new MailSpool(state.resolve("mail"));
        MailSpool.Entry e = spool.write(mail("a"));
        spool.delete(e);
        assertEquals(List.of(), spool.load());
    }

    @Test
    void corruptFile_movedToBad_othersLoaded_halfWrittenTempRemoved() throws IOException {
        MailSpool spool = new MailSpool(state.resolve("mail"));
        spool.write(mail("good"));
        Files.writeString(state.resolve("mail/0000000000000-000000000-junk.mail"), "not a mail\n");
        Files.writeString(state.resolve("mail/0000000000001-000000000-nohost.mail"),
                MailSpool.MAGIC + "\nevent: restart\nsummary: x\nevent-ids: a\ncreated: 2026-11-22T03:01:42Z\n\nbody");
        Files.writeString(state.resolve("mail/.tmp-0000000000002-000000000-half.mail"), MailSpool.MAGIC);

        List<MailSpool.Entry> loaded = spool.load();

        assertEquals(List.of(List.of("good")), loaded.stream().map(e -> e.mail().eventIds()).toList());
        assertTrue(Files.exists(state.resolve("mail/bad/0000000000000-000000000-junk.mail")));
        assertTrue(Files.exists(state.resolve("mail/bad/0000000000001-000000000-nohost.mail")));
        assertFalse(Files.exists(state.resolve("mail/.tmp-0000000000002-000000000-half.mail")));
        try (Stream<Path> s = Files.list(state.resolve("mail"))) {
            assertEquals(1, s.filter(p -> p.toString().endsWith(".mail")).count());
        }
    }
}
