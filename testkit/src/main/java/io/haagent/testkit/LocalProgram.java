package io.haagent.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A program the server fixtures run on this machine ({@code redis-server}, {@code moto_server}):
 * where it is, and what a test does when it is missing — skip with the reason on a developer's
 * machine, fail under CI, where a missing program means the CI script or the image is broken.
 */
record LocalProgram(String name, String envOverride, String installHint, String ciHint) {

    /** The binary named by the override variable, else the first on the PATH. */
    Optional<Path> find() {
        String explicit = System.getenv(envOverride);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        return Stream.of(path.split(File.pathSeparator))
                .filter(s -> !s.isEmpty())
                .map(s -> Path.of(s, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    void assumeAvailable() {
        unavailableReason().ifPresent(why -> Assumptions.abort(why + " to run this test"));
    }

    /**
     * Empty when the program is found; else why not and how to install it. Under CI ({@code CI=true}) a missing
     * program throws instead: {@code .ci/run} installs it.
     */
    Optional<String> unavailableReason() {
        if (find().isPresent()) {
            return Optional.empty();
        }
        String why = name + " is not on the PATH (nor named by " + envOverride + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(why + "; under CI=true this is an error: " + ciHint);
        }
        return Optional.of(why + "; " + installHint);
    }

    static void pause(long millis, String waitingFor) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + waitingFor, e);
        }
    }

    /** The last 20 lines of a server's log, for failure messages. */
    static String tail(Path logFile) {
        try {
            if (!Files.exists(logFile)) {
                return "(no log)";
            }
            java.util.List<String> lines = Files.readAllLines(logFile, java.nio.charset.StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** Best effort: a leftover temp file must not fail the test that used the server. */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // see above
                }
            });
        } catch (IOException e) {
            // see above
        }
    }
}
