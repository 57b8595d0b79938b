package io.haagent.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Debian mirror this machine's apt already uses for a suite, read from its sources at run time:
 * the fixtures that debootstrap a root fetch from where the machine is allowed and configured to
 * fetch, and no mirror is ever written into the code.
 *
 * <p>Both formats count: deb822 {@code *.sources} files ({@code Types: deb}, {@code URIs:},
 * {@code Suites:} in one paragraph) first, then one-line {@code deb URI SUITE COMPONENTS} entries in
 * {@code sources.list} and {@code *.list} files. Disabled entries ({@code Enabled: no}, comments)
 * do not count.
 */
final class AptMirror {
    private AptMirror() {}

    /** The first {@code deb} URI that serves {@code suite} in {@code /etc/apt}. */
    static Optional<String> forSuite(String suite) {
        return forSuite(suite, Path.of("/etc/apt"));
    }

    /** As {@link #forSuite(String)}, reading the sources under {@code aptEtc} (a test's own tree). */
    static Optional<String> forSuite(String suite, Path aptEtc) {
        Path dir = aptEtc.resolve("sources.list.d");
        for (Path f : files(dir, ".sources")) {
            Optional<String> uri = fromDeb822(read(f), suite);
            if (uri.isPresent()) {
                return uri;
            }
        }
        List<Path> lists = new ArrayList<>();
        lists.add(aptEtc.resolve("sources.list"));
        lists.addAll(files(dir, ".list"));
        for (Path f : lists) {
            Optional<String> uri = fromOneLine(read(f), suite);
            if (uri.isPresent()) {
                return uri;
            }
        }
        return Optional.empty();
    }

    static Optional<String> fromDeb822(String text, String suite) {
        for (String paragraph : text.split("\\n\\s*\\n")) {
            String types = field(paragraph, "Types");
            String enabled = field(paragraph, "Enabled");
            List<String> suites = List.of(field(paragraph, "Suites").split("\\s+"));
            String[] uris = field(paragraph, "URIs").split("\\s+");
            if (List.of(types.split("\\s+")).contains("deb") && !enabled.equalsIgnoreCase("no")
                    && suites.contains(suite) && !uris[0].isEmpty()) {
                return Optional.of(uris[0]);
            }
        }
        return Optional.empty();
    }

    static Optional<String> fromOneLine(String text, String suite) {
        for (String line : text.split("\n")) {
            // "deb [signed-by=... arch=amd64] URI SUITE COMPONENT..."
            String entry = line.replaceAll("#.*", "").replaceAll("\\[[^]]*]", " ").strip();
            String[] words = entry.split("\\s+");
            if (words.length >= 3 && words[0].equals("deb") && words[2].equals(suite)) {
                return Optional.of(words[1]);
            }
        }
        return Optional.empty();
    }

    /** A deb822 field's value ("" when absent); comment lines and continuation lines are skipped. */
    private static String field(String paragraph, String name) {
        for (String line : paragraph.split("\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return "";
    }

    private static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
