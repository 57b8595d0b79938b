package io.haagent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A password or key: read from a file (the right way) or written inline (lint warns). */
public sealed interface Secret {

    /**
     * The secret as text, read now (a rotated file counts at the next use): an inline one as written, a file's
     * content without its trailing line breaks ({@code echo secret > file} leaves one that is no part of it).
     *
     * @throws IOException whose message names the file and why it cannot be read ({@code /etc/x: NoSuchFileException}),
     *                     for the caller's sentence
     */
    String reveal() throws IOException;

    record FromFile(Path path) implements Secret {
        @Override
        public String reveal() throws IOException {
            try {
                return Files.readString(path, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
            } catch (IOException e) {
                throw new IOException(path + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null || e.getMessage().equals(path.toString()) ? "" : " (" + e.getMessage()
                        + ")"), e);
            }
        }
    }

    /** Inline secret; {@link #toString()} never shows it, so it cannot leak into logs or status. */
    record Inline(String value) implements Secret {
        @Override
        public String reveal() {
            return value;
        }

        @Override
        public String toString() {
            return "Inline[***]";
        }
    }
}
