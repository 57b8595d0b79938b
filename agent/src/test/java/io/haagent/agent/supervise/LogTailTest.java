package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
    @TempDir
    Path dir;

    /** What a child does to its log: appends (it opened it O_APPEND). */
    private static void write(RotatingLog log, String s) throws Exception {
        Files.writeString(log.file(), s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void lastLines_thenWhatFollows_theNextOffset() throws Exception {
        Path file = dir.resolve("stdout.log");
        RotatingLog log = new RotatingLog(file, 1 << 20, 1);
        {
            write(log, "one\ntwo\nthree\n");
            LogTail t = LogTail.read(file, 2, OptionalLong.empty());
            assertEquals("two\nthree\n", t.text());
            assertEquals(14, t.next());
            assertEquals("one\ntwo\nthree\n", LogTail.read(file, 50, OptionalLong.empty()).text());
            assertEquals("", LogTail.read(file, 0, OptionalLong.empty()).text());

            write(log, "four\nfive");
            LogTail more = LogTail.read(file, 50, OptionalLong.of(t.next()));
            assertEquals("four\nfive", more.text());
            assertEquals(23, more.next());
            assertEquals("five", LogTail.read(file, 1, OptionalLong.empty()).text(), "a last line without its newline");
        }
    }

    @Test
    void aRotatedFile_isReadFromItsStart_aMissingOneIsEmpty() throws Exception {
        Path file = dir.resolve("stdout.log");
        RotatingLog log = new RotatingLog(file, 10, 1);
        {
            write(log, "12345678\n");
            long next = LogTail.read(file, 5, OptionalLong.empty()).next();
            write(log, "9\n"); // over 10 bytes: copied to stdout.log.1, stdout.log truncated
            assertEquals(true, log.rotateIfFull());
            write(log, "abc\n");
            assertEquals("abc\n", LogTail.read(file, 5, OptionalLong.of(next)).text());
        }
        assertEquals(new LogTail("", 0, dir.resolve("none.log")), LogTail.read(dir.resolve("none.log"), 5, OptionalLong.empty()));
        assertEquals(true, Files.exists(dir.resolve("stdout.log.1")));
    }
}
