package io.haagent.agent.load;

import java.io.IOException;

/**
 * How the /proc files are cut: into lines and whitespace-separated words by hand, as they are read every sample and
 * a regex per line would cost more than the read ({@link ProcFile} reads them).
 */
final class ProcText {
    private ProcText() {}

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
    static long number(String word, Object file) throws IOException {
        try {
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": \"" + word + "\" is not a number");
        }
    }
}
