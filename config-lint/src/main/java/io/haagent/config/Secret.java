package io.haagent.config;

import java.nio.file.Path;

/** A password or key: read from a file (the right way) or written inline (lint warns). */
public sealed interface Secret {
    record FromFile(Path path) implements Secret {}

    /** Inline secret; {@link #toString()} never shows it, so it cannot leak into logs or status. */
    record Inline(String value) implements Secret {
        @Override
        public String toString() {
            return "Inline[***]";
        }
    }
}
