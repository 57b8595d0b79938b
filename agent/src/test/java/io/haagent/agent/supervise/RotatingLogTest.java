package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogTest {
    @TempDir
    Path dir;

    /** Regression: one large read from the child's pipe was cut at byte 1000, splitting a line across two files. */
    @Test
    void oneChunkOfManyLines_rotatesAtLineBoundaries() throws Exception {
        String text = IntStream.range(0, 100).mapToObj(i -> "line " + i + " ........................................\n")
                .collect(Collectors.joining());
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("stdout.log");
        RotatingLog log = new RotatingLog(file, 1000, 2);
        log.write(bytes, 0, bytes.length);
        log.close();
        for (Path f : new Path[] {file, dir.resolve("stdout.log.1"), dir.resolve("stdout.log.2")}) {
            String s = Files.readString(f);
            assertTrue(s.length() <= 1000, f + " has " + s.length() + " bytes");
            assertTrue(s.startsWith("line ") && s.endsWith("\n"), f + " holds a cut line: " + s);
        }
        String all = Files.readString(dir.resolve("stdout.log.2")) + Files.readString(dir.resolve("stdout.log.1"))
                + Files.readString(file);
        assertTrue(text.endsWith(all), "the newest lines are kept, in order");
        assertTrue(Files.readString(file).contains("line 99 "));
    }

    @Test
    void aLineLongerThanAFile_isSplit_asTheOnlyWayToKeepIt() throws Exception {
        byte[] bytes = "x".repeat(2500).getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("stderr.log");
        RotatingLog log = new RotatingLog(file, 1000, 3);
        log.write(bytes, 0, bytes.length);
        log.close();
        assertEquals(500, Files.size(file));
        assertEquals(1000, Files.size(dir.resolve("stderr.log.1")));
        assertEquals(1000, Files.size(dir.resolve("stderr.log.2")));
    }
}
