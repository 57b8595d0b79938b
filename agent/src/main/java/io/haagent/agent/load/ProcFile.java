package io.haagent.agent.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One /proc file, read whole on each sample into a buffer kept between samples. {@code Files.readAllBytes} would
 * allocate its chunks afresh every time (a /proc file reports size 0, so it cannot size them); this is most of what
 * a sample would otherwise allocate. One sampling thread reads a given file.
 */
final class ProcFile {
    private final Path path;
    private ByteBuffer buffer = ByteBuffer.allocate(4096);

    ProcFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** The whole file as text (UTF-8: an interface name is bytes; a stray byte becomes U+FFFD, not a failure). */
    String read() throws IOException {
        buffer.clear();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            while (ch.read(buffer) >= 0) {
                if (!buffer.hasRemaining()) {
                    ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
                    buffer.flip();
                    bigger.put(buffer);
                    buffer = bigger;
                }
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
