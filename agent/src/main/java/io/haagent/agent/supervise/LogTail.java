package io.haagent.agent.supervise;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * A piece of a child's log as {@code haagent ctl tail} shows it (supervisorctl's {@code tail}, {@code tail -f}): the
 * last lines of {@code stdout.log} or {@code stderr.log}, or what was written after a byte offset.
 *
 * @param text what was read, whole lines unless a single line is longer than {@link #MAX_BYTES}
 * @param next the byte offset to read from next time, for a follower polling the file
 * @param file the file read
 */
public record LogTail(String text, long next, Path file) {
    /** The most one answer carries, so that a huge log cannot make a huge reply; a follower gets the rest next time. */
    public static final int MAX_BYTES = 256 * 1024;

    /**
     * Reads {@code file}: without {@code from}, its last {@code lines} lines; with it, what follows that offset. A
     * file shorter than {@code from} was rotated since ({@link RotatingLog}): it is read from its start. A file that
     * does not exist yet (the child never wrote) reads as empty.
     */
    public static LogTail read(Path file, int lines, OptionalLong from) throws IOException {
        if (lines < 0) {
            throw new IllegalArgumentException("lines must be >= 0, got " + lines);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (from.isPresent()) {
                long start = from.getAsLong() <= size ? from.getAsLong() : 0;
                byte[] b = readAt(ch, start, (int) Math.min(MAX_BYTES, size - start));
                int keep = b.length == MAX_BYTES ? wholeLines(b) : b.length;
                return new LogTail(new String(b, 0, keep, StandardCharsets.UTF_8), start + keep, file);
            }
            long start = Math.max(0, size - MAX_BYTES);
            byte[] b = readAt(ch, start, (int) (size - start));
            int cut = lastLines(b, lines);
            return new LogTail(new String(b, cut, b.length - cut, StandardCharsets.UTF_8), size, file);
        } catch (NoSuchFileException e) {
            return new LogTail("", 0, file);
        }
    }

    private static byte[] readAt(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining() && ch.read(buf, position + buf.position()) > 0) {
            // the file may shrink under us (rotation): what was read is what there is
        }
        byte[] b = new byte[buf.position()];
        buf.flip().get(b);
        return b;
    }

    /** Up to the last newline, so the next read starts a line; all of it when there is no newline. */
    private static int wholeLines(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i + 1;
            }
        }
        return b.length;
    }

    /** Where the last {@code lines} lines start; a last line without its newline counts as a line. */
    private static int lastLines(byte[] b, int lines) {
        if (lines == 0) {
            return b.length;
        }
        int seen = 0;
        int end = b.length > 0 && b[b.length - 1] == '\n' ? b.length - 1 : b.length;
        for (int i = end - 1; i >= 0; i--) {
            if (b[i] == '\n' && ++seen == lines) {
                return i + 1;
            }
        }
        return 0;
    }
}
