package io.haagent.agent.supervise;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A child's log file rotated by size the way logrotate's {@code copytruncate} does, because the child itself writes
 * it: {@code stdout.log} is opened {@code O_APPEND} by the child ({@link ProcessBuilder.Redirect#appendTo}), so it
 * outlives the agent and an adopted child keeps writing where the next agent reads. Renaming the file would leave
 * the writer on the renamed one, so rotation copies it to {@code .1} (after {@code .1} became {@code .2}, and so on;
 * {@code keep} old files stay) and truncates it to zero: with {@code O_APPEND} the writer's next write lands at the
 * new end. What the child writes between the copy and the truncate is lost — logrotate's copytruncate window. To keep
 * it short whatever the file's size, the copy catches up: after copying the file it copies what was appended
 * meanwhile, up to {@link #CATCH_UP} times, so the window is the last, small pass plus the truncate (microseconds,
 * a few lines of a very chatty child), not the copy of the whole file.
 */
final class RotatingLog {
    /** Passes that copy what was appended during the previous pass, before the truncate. */
    static final int CATCH_UP = 3;

    private final Path file;
    private final long maxBytes;
    private final int keep;

    RotatingLog(Path file, long maxBytes, int keep) {
        if (maxBytes < 1 || keep < 0) {
            throw new IllegalArgumentException("a log needs maxBytes >= 1 and keep >= 0");
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    Path file() {
        return file;
    }

    /**
     * Rotates the file when it is larger than {@code maxBytes}; a missing file is nothing to rotate.
     *
     * @return whether it rotated
     */
    synchronized boolean rotateIfFull() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() <= maxBytes) {
                return false;
            }
            if (keep > 0) {
                Files.deleteIfExists(rotated(keep));
                for (int i = keep - 1; i >= 1; i--) {
                    if (Files.exists(rotated(i))) {
                        Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                copy(ch, rotated(1));
            }
            // the copy-to-truncate window: lines written now are in neither file
            ch.truncate(0);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static void copy(FileChannel from, Path to) throws IOException {
        try (FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long copied = 0;
            for (int pass = 0; pass <= CATCH_UP; pass++) {
                long size = from.size();
                if (pass > 0 && size == copied) {
                    break;
                }
                while (copied < size) {
                    copied += from.transferTo(copied, size - copied, out);
                }
            }
            endAtALine(out, copied);
        }
    }

    /**
     * Cuts the copy after its last newline. A read does not wait for a write in progress, so the copy can end in the
     * first bytes of a line whose rest then lands after the truncate, in the new file; cut here, that line is in
     * neither file (the window below), never in halves. A copy without any newline is kept as it is.
     */
    private static void endAtALine(FileChannel out, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        for (long end = size; end > 0; ) {
            long start = Math.max(0, end - buf.capacity());
            buf.clear().limit((int) (end - start));
            while (buf.hasRemaining() && out.read(buf, start + buf.position()) >= 0) {
                // fills the buffer from start
            }
            for (int i = buf.position() - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    out.truncate(start + i + 1);
                    return;
                }
            }
            end = start;
        }
    }

    private Path rotated(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }
}
