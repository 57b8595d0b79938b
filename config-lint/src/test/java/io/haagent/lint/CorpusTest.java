package io.haagent.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.haagent.config.Cidr;
import io.haagent.config.Ipv4;
import io.haagent.config.Secret;
import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Rule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The lint corpus under {@code src/test/resources/lint}: every finding must be announced by a
 * {@code # expect: rule-id[, rule-id]} comment on its line, and every announced finding must
 * appear — so a rule that fires too often, too rarely or on the wrong line fails here.
 */
class CorpusTest {
    static final Path CORPUS = Path.of("src/test/resources/lint");
    private static final Pattern EXPECT = Pattern.compile("#\\s*expect:\\s*(.+)$");
    /**
     * Rules about reading the file, which a corpus file cannot show (it would be over 4 MiB, or not be
     * there): ConfigFileTest and LintCommandTest do.
     */
    private static final Set<String> SHOWN_BY_CONFIG_FILE_TEST = Set.of(Rule.CONFIG_TOO_LARGE.id(), Rule.CONFIG_UNREADABLE.id());

    /** The host the {@code host/} files are linted against. */
    static final HostFacts FAKE_HOST = new HostFacts() {
        public Set<String> interfaces() {
            return Set.of("lo", "eth0");
        }

        public Set<Ipv4> addresses() {
            return Set.of(Ipv4.parse("127.0.0.1"), Ipv4.parse("10.0.1.10"));
        }

        public Set<Cidr> loopbackNetworks() {
            return Set.of(Cidr.parse("127.0.0.1/8"));
        }

        /** The Redis on port 6390 runs without a config file; every other one is fine. */
        public Optional<String> redisRewriteProblem(String host, int port, Optional<Secret> password) {
            return port == 6390 ? Optional.of("redis " + host + ":" + port + ": runs without a config file") : Optional.empty();
        }
    };

    @TestFactory
    Stream<DynamicTest> badFiles_reportExactlyTheMarkedFindings() {
        return yamlFiles("bad").map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                () -> assertMarkersMatch(List.of(f), Linter.Options.DEFAULT)));
    }

    @TestFactory
    Stream<DynamicTest> hostFiles_withHostChecks_reportExactlyTheMarkedFindings() {
        Linter.Options onFakeHost = new Linter.Options(true, () -> FAKE_HOST);
        return yamlFiles("host").map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                () -> assertMarkersMatch(List.of(f), onFakeHost)));
    }

    @TestFactory
    Stream<DynamicTest> hostFiles_withoutHostChecks_reportNothing() {
        return yamlFiles("host").map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                () -> assertEquals(List.of(), Linter.lint(List.of(source(f)), Linter.Options.DEFAULT))));
    }

    @TestFactory
    Stream<DynamicTest> fleetPairs_reportExactlyTheMarkedFindings() {
        return list(CORPUS.resolve("fleet")).filter(Files::isDirectory).map(dir -> DynamicTest.dynamicTest(
                dir.getFileName().toString(),
                () -> assertMarkersMatch(List.of(dir.resolve("a.yaml"), dir.resolve("b.yaml")), Linter.Options.DEFAULT)));
    }

    /** Alone, a fleet file reports exactly its markers that are not fleet rules (issue 14: coordination warnings). */
    @TestFactory
    Stream<DynamicTest> fleetPairs_linkedAlone_haveNoFleetFindings() {
        return list(CORPUS.resolve("fleet")).filter(Files::isDirectory).flatMap(dir -> Stream.of("a.yaml", "b.yaml")
                .map(dir::resolve).map(f -> DynamicTest.dynamicTest(dir.getFileName() + "/" + f.getFileName(),
                        () -> assertMarkersMatch(List.of(f), Linter.Options.DEFAULT, rule -> !rule.startsWith("fleet.")))));
    }

    @TestFactory
    Stream<DynamicTest> goodFiles_haveNoFindings() {
        return yamlFiles("good").map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                () -> assertEquals(List.of(), Linter.lint(List.of(source(f)), Linter.Options.DEFAULT))));
    }

    @Test
    void examples_lintCleanAloneAndAsAFleet() {
        List<Path> examples = list(Path.of("../examples")).filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        assertFalse(examples.isEmpty(), "examples/*.yaml");
        assertEquals(List.of(), Linter.lint(examples.stream().map(CorpusTest::source).toList(), Linter.Options.DEFAULT));
    }

    @Test
    void everyRule_isDemonstratedByTheCorpus() throws IOException {
        Set<String> demonstrated = new TreeSet<>();
        try (Stream<Path> all = Files.walk(CORPUS)) {
            for (Path p : all.filter(q -> q.toString().endsWith(".yaml")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    Matcher m = EXPECT.matcher(line);
                    if (m.find()) {
                        Arrays.stream(m.group(1).split(",")).map(String::strip).forEach(demonstrated::add);
                    }
                }
            }
        }
        Set<String> all = new TreeSet<>(Arrays.stream(Rule.values()).map(Rule::id).toList());
        all.removeAll(SHOWN_BY_CONFIG_FILE_TEST);
        assertEquals(all, demonstrated, "each rule needs a corpus file that expects it, and each expectation a rule");
    }

    private static void assertMarkersMatch(List<Path> files, Linter.Options options) throws IOException {
        assertMarkersMatch(files, options, rule -> true);
    }

    private static void assertMarkersMatch(List<Path> files, Linter.Options options, Predicate<String> expectedRules)
            throws IOException {
        List<String> expected = new ArrayList<>();
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = EXPECT.matcher(lines.get(i));
                if (m.find()) {
                    for (String rule : m.group(1).split(",")) {
                        if (expectedRules.test(rule.strip())) {
                            expected.add(f + ":" + (i + 1) + " " + rule.strip());
                        }
                    }
                }
            }
        }
        List<Finding> findings = Linter.lint(files.stream().map(CorpusTest::source).toList(), options);
        List<String> actual = findings.stream().map(x -> x.file() + ":" + x.at().line() + " " + x.rule().id()).toList();
        assertEquals(expected.stream().sorted().toList(), actual.stream().sorted().toList(),
                () -> "findings were:\n" + findings.stream().map(Finding::toString).reduce("", (a, b) -> a + b + "\n"));
    }

    static Linter.Source source(Path p) {
        try {
            return new Linter.Source(p.toString(), Files.readString(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Stream<Path> yamlFiles(String dir) {
        return list(CORPUS.resolve(dir)).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    private static Stream<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
