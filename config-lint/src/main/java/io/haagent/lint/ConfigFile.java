package io.haagent.lint;

import io.haagent.config.load.IncludeReader;
import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a config file the one way that {@code lint}, {@code run} and every reload do, so that they
 * refuse the same files with the same words: UTF-8 text of at most {@link #MAX_BYTES}, bounded
 * before anything is parsed (issue 10 §3.6: a 50 MB file took 400 MB in lint and an
 * OutOfMemoryError in {@code run}'s 64 MiB heap). The files a config includes are read the same way
 * ({@link #INCLUDED}).
 */
public final class ConfigFile {
    /**
     * The largest config read. A real one is kilobytes (the lint benchmark's 1,000 checks, 500
     * services and 50 VRRP instances are well under 1 MiB); this keeps parsing within a few MiB of heap.
     */
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    /** The file cannot be used. The message says which and why; a file too large also has its finding. */
    public static final class Unreadable extends Exception {
        private final transient Optional<Finding> finding;
        private final transient Finding asFinding;

        private Unreadable(String message, Optional<Finding> finding, Finding asFinding) {
            super(message);
            this.finding = finding;
            this.asFinding = asFinding;
        }

        /** The file could not be read at all: {@code reason} says why. */
        private Unreadable(String name, String reason) {
            this("cannot read " + name + ": " + reason, Optional.empty(),
                    new Finding(name, Location.START, Rule.CONFIG_UNREADABLE, "cannot read it: " + reason));
        }

        /** The {@link Rule#CONFIG_TOO_LARGE} finding, or none when the file could not be read at all. */
        public List<Finding> findings() {
            return finding.stream().toList();
        }

        /**
         * The file's one finding in lint's output, whatever the format ({@link Rule#CONFIG_TOO_LARGE} or
         * {@link Rule#CONFIG_UNREADABLE}): a program reading {@code --format json} learns of it too.
         */
        public Finding asFinding() {
            return asFinding;
        }
    }

    /** How an included file is read: as the file that names it, bounded and UTF-8, refused in the same words. */
    static final IncludeReader INCLUDED = file -> {
        try {
            return read(file).text();
        } catch (Unreadable e) {
            throw new IncludeReader.Refused(e.asFinding().rule(), e.asFinding().message());
        }
    };

    private ConfigFile() {}

    /** The file's text, named as given. */
    public static Linter.Source read(Path file) throws Unreadable {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw new Unreadable(name, "it is a directory; name the config files in it");
        }
        try {
            // The size first, so a huge file costs nothing; the read is bounded too, in case the file grows meanwhile.
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw tooLarge(name, OptionalLong.of(size));
            }
            try (InputStream in = Files.newInputStream(file)) {
                return read(name, in);
            }
        } catch (IOException e) {
            throw new Unreadable(name, reason(e));
        }
    }

    /** The text of {@code in} (standard input, for {@code lint -}), bounded as a file is. */
    public static Linter.Source read(String name, InputStream in) throws Unreadable {
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new Unreadable(name, reason(e));
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(name, OptionalLong.empty());
        }
        try {
            return new Linter.Source(name, StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            throw new Unreadable(name, reason(e));
        }
    }

    /** {@code size}: the file's size, or empty when only "more than the limit" is known (a stream). */
    private static Unreadable tooLarge(String name, OptionalLong size) {
        String what = (size.isPresent() ? "it is " + size.getAsLong() + " bytes, more than" : "it has more than")
                + " the " + MAX_BYTES + " bytes (4 MiB) a config may have, so it is not read; a real config is kilobytes: "
                + "check that this is the config file, and take out what is not config";
        Finding f = new Finding(name, Location.START, Rule.CONFIG_TOO_LARGE, what);
        return new Unreadable(name + " is too large to read", Optional.of(f), f);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
