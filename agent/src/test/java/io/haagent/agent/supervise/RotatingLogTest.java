package io.haagent.agent.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copy-then-truncate under a real writer: the child opens its log O_APPEND itself (issue 13: its output must outlive
 * the agent), so rotation can neither rename the file under it nor reopen it for it.
 */
class RotatingLogTest {
    @TempDir
    Path dir;

    /** A shell appending {@code lines} numbered lines to {@code file}, as a child writes its stdout.log. */
    private static Process writer(Path file, int lines) throws Exception {
        // after the burst, a pause, then one last line: by then the rotations have caught up with the burst, so
        // that line lands in the live file (the burst's own last lines may fall into a copy-to-truncate window)
        return new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt " + lines + " ]; do echo \"line $i\"; i=$((i+1));"
                + " done; sleep 0.3; echo \"line " + lines + "\"").redirectOutput(ProcessBuilder.Redirect.appendTo(file.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private static List<Integer> numbers(String text) {
        List<Integer> n = new ArrayList<>();
        for (String line : text.lines().toList()) {
            assertTrue(line.matches("line \\d+"), "a cut or foreign line: '" + line + "'");
            n.add(Integer.parseInt(line.substring(5)));
        }
        return n;
    }

    @Test
    void copyTruncate_whileAWriterAppends_keepsTheLinesInOrder_withoutAHole_andTheWriterGoesOnAtTheNewEnd()
            throws Exception {
        Path file = dir.resolve("stdout.log");
        RotatingLog log = new RotatingLog(file, 2000, 1000);
        Process w = writer(file, 20_000);
        int rotations = 0;
        try {
            while (true) {
                boolean writing = w.isAlive();
                if (log.rotateIfFull()) {
                    rotations++;
                } else if (!writing) {
                    break;
                }
            }
        } finally {
            w.destroyForcibly();
        }
        assertTrue(w.waitFor(20, TimeUnit.SECONDS));
        assertTrue(rotations >= 2, "the writer outran no rotation: " + rotations);
        String all = "";
        for (int i = rotations; i >= 1; i--) {
            all += Files.readString(dir.resolve("stdout.log." + i));
        }
        all += Files.readString(file);
        // A writer without O_APPEND would go on at its old offset after the truncate: a hole of NULs before its line.
        assertFalse(all.contains("\0"), "a hole in a log");
        List<Integer> n = numbers(all);
        for (int i = 1; i < n.size(); i++) {
            assertTrue(n.get(i) > n.get(i - 1), "out of order at " + i + ": " + n.subList(i - 1, i + 1));
        }
        // The writer goes on at the new end: its last line, written once the rotations caught up, is in stdout.log.
        // (Asserting the burst's last lines failed in CI: 545 of them fell into one copy-to-truncate window.)
        assertEquals(List.of(20_000), numbers(Files.readString(file)).reversed().subList(0, 1),
                "the writer's last line is at the end of stdout.log");
        // Lines written between the copy's last pass and the truncate are lost: the documented window. This writer
        // (a shell loop, tens of lines a millisecond) against a cold JVM lost 1732 of 20,000 lines in 9 rotations once;
        // the bound says that the window is short against the copy, not that it is empty.
        assertTrue(20_001 - n.size() <= 20_000 / 4, (20_001 - n.size()) + " lines lost in " + rotations + " rotations");
    }

    /**
     * A copy that catches a writer mid-line (a read does not wait for a write in progress) ends at its last whole
     * line: the rest of that line lands after the truncate, and "line" + "line 3652" read as one cut line
     * (seen in CI before the fix).
     */
    @Test
    void aCopyEndingMidLine_endsAtItsLastWholeLine() throws Exception {
        Path file = dir.resolve("stdout.log");
        Files.writeString(file, "line 1\nline 2\nli");
        assertTrue(new RotatingLog(file, 5, 1).rotateIfFull());
        assertEquals("line 1\nline 2\n", Files.readString(dir.resolve("stdout.log.1")));
        assertEquals(0, Files.size(file));
    }

    @Test
    void onlyAFileLargerThanMaxBytes_rotates_keepingTheNewestCopies() throws Exception {
        Path file = dir.resolve("stderr.log");
        RotatingLog log = new RotatingLog(file, 10, 2);
        assertFalse(log.rotateIfFull(), "no file yet: nothing to rotate");
        Files.writeString(file, "123456789\n");
        assertFalse(log.rotateIfFull(), "10 bytes is not larger than 10");
        for (String s : List.of("first!", "second", "third!")) {
            Files.writeString(file, s + " line\n", java.nio.file.StandardOpenOption.APPEND);
            assertTrue(log.rotateIfFull());
            assertEquals(0, Files.size(file));
        }
        assertEquals("second line\n", Files.readString(dir.resolve("stderr.log.2")));
        assertEquals("third! line\n", Files.readString(dir.resolve("stderr.log.1")));
        assertFalse(Files.exists(dir.resolve("stderr.log.3")), "only two copies are kept");
    }

    @Test
    void keepZero_onlyTruncates() throws Exception {
        Path file = dir.resolve("stdout.log");
        Files.writeString(file, "x".repeat(50));
        assertTrue(new RotatingLog(file, 10, 0).rotateIfFull());
        assertEquals(0, Files.size(file));
        assertFalse(Files.exists(dir.resolve("stdout.log.1")));
    }
}
