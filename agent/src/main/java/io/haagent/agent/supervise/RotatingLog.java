package io.haagent.agent.supervise;

import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A log file rotated by size, as supervisord's {@code stdout_logfile_maxbytes}/{@code _backups}:
 * {@code stdout.log} is written; when the next chunk would make it larger than {@code maxBytes} it
 * becomes {@code stdout.log.1}, {@code .1} becomes {@code .2}, and so on; {@code keep} old files stay.
 * Writes are unbuffered so the file always shows what the child wrote.
 */
final class RotatingLog implements Closeable {
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long size;

    RotatingLog(Path file, long maxBytes, int keep) throws IOException {
        if (maxBytes < 1 || keep < 0) {
            throw new IllegalArgumentException("a log needs maxBytes >= 1 and keep >= 0");
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        open();
    }

    private void open() throws IOException {
        out = new FileOutputStream(file.toFile(), true);
        size = Files.size(file);
    }

    synchronized void write(byte[] b, int off, int len) throws IOException {
        if (out == null) {
            throw new IOException(file + " is closed");
        }
        while (len > 0) {
            if (size > 0 && size + len > maxBytes) {
                rotate();
            }
            int n = (int) Math.min(len, maxBytes - size); // a chunk larger than what is left is split...
            if (n < len) {
                // ...after its last whole line that fits, so a line is not cut across two files.
                for (int i = off + n - 1; i >= off; i--) {
                    if (b[i] == '\n') {
                        n = i - off + 1;
                        break;
                    }
                }
            }
            if (n <= 0) {
                n = (int) Math.min(len, maxBytes); // a fresh file and no room: take what fits
            }
            out.write(b, off, n);
            size += n;
            off += n;
            len -= n;
        }
    }

    private void rotate() throws IOException {
        out.close();
        out = null;
        if (keep == 0) {
            Files.deleteIfExists(file);
        } else {
            Files.deleteIfExists(rotated(keep));
            for (int i = keep - 1; i >= 1; i--) {
                if (Files.exists(rotated(i))) {
                    Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path rotated(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }
}
