package io.haagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the packaging build left its output: target/haagent/ (the distribution) and the .deb beside it. */
final class Built {
    static final Path TARGET = Path.of("target").toAbsolutePath();
    static final Path DIST = TARGET.resolve("haagent");
    static final Path SOURCES = Path.of("src").toAbsolutePath();

    private Built() {}

    /** The one haagent_*.deb in target/; fails the test with what to run when the build did not make it. */
    static Path deb() throws IOException {
        assertTrue(Files.isDirectory(TARGET), "no target/: run ./mvnw package first");
        List<Path> debs;
        try (Stream<Path> files = Files.list(TARGET)) {
            debs = files.filter(p -> p.getFileName().toString().matches("haagent_.*\\.deb")).toList();
        }
        assertEquals(1, debs.size(), "expected one haagent_*.deb in target/, found " + debs);
        return debs.getFirst();
    }
}
