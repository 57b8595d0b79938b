package io.haagent.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptMirrorTest {

    @Test
    void deb822_theParagraphWhoseSuitesHaveTheSuite_notItsUpdatesOrADisabledOne() {
        String sources = """
                Types: deb
                URIs: http://disabled.example/debian
                Suites: bookworm
                Enabled: no
                Components: main

                Types: deb-src
                URIs: http://sources.example/debian
                Suites: bookworm

                Types: deb
                URIs: http://security.example/debian-security
                Suites: bookworm-security
                Components: main

                Types: deb
                # a comment: Suites: bookworm
                URIs: http://mirror.example/debian http://second.example/debian
                Suites: bookworm bookworm-updates
                Components: main
                """;
        assertEquals(Optional.of("http://mirror.example/debian"), AptMirror.fromDeb822(sources, "bookworm"));
        assertEquals(Optional.of("http://security.example/debian-security"),
                AptMirror.fromDeb822(sources, "bookworm-security"));
        assertEquals(Optional.empty(), AptMirror.fromDeb822(sources, "trixie"));
    }

    @Test
    void oneLine_debEntriesWithOptions_commentsAndSourceLinesIgnored() {
        String list = """
                # deb http://commented.example/debian bookworm main
                deb-src http://sources.example/debian bookworm main
                deb http://updates.example/debian bookworm-updates main
                deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.example/debian bookworm main
                """;
        assertEquals(Optional.of("http://mirror.example/debian"), AptMirror.fromOneLine(list, "bookworm"));
        assertEquals(Optional.empty(), AptMirror.fromOneLine(list, "trixie"));
    }

    @Test
    void forSuite_sourcesFilesFirst_thenSourcesList_nothingWhenNeitherHasIt(@TempDir Path apt) throws Exception {
        assertEquals(Optional.empty(), AptMirror.forSuite("bookworm", apt));
        Files.writeString(apt.resolve("sources.list"), "deb http://list.example/debian bookworm main\n");
        assertEquals(Optional.of("http://list.example/debian"), AptMirror.forSuite("bookworm", apt));
        Files.createDirectories(apt.resolve("sources.list.d"));
        Files.writeString(apt.resolve("sources.list.d/debian.sources"),
                "Types: deb\nURIs: http://deb822.example/debian\nSuites: bookworm\nComponents: main\n");
        assertEquals(Optional.of("http://deb822.example/debian"), AptMirror.forSuite("bookworm", apt));
    }
}
