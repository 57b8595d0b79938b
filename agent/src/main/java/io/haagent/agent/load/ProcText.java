package io.haagent.agent.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the /proc files are read: whole (they are generated on open, a few KB), then cut into lines and
 * whitespace-separated words by hand, as they run every sample and a regex per line would cost more than the read.
 */
final class ProcText {
    private ProcText() {}

    static String read(Path file) throws IOException {
        // not Files.readString: an interface name is bytes, and a stray byte must not fail the whole file
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** The words of {@code line} between {@code from} and {@code to}, split on runs of spaces and tabs; at most {@code max}. */
    static String[] words(String line, int from, int to, int max) {
        String[] out = new String[max];
        int n = 0;
        int i = from;
        while (i < to && n < max) {
            while (i < to && isBlank(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < to && !isBlank(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out[n++] = line.substring(start, i);
            }
        }
        if (n < max) {
            String[] shorter = new String[n];
            System.arraycopy(out, 0, shorter, 0, n);
            return shorter;
        }
        return out;
    }

    static String[] words(String line, int max) {
        return words(line, 0, line.length(), max);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** A number column, with the file in the message when it is not one. */
    static long number(String word, Path file) throws IOException {
        try {
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": \"" + word + "\" is not a number");
        }
    }
}
