package io.haagent.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.haagent.lint.finding.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random mutations of good configs never crash the linter: whatever an editor, a merge or a
 * careless sed leaves in the file, the result is findings with sane positions, never an exception.
 */
class MutationTest {
    private static final int MUTANTS_PER_FILE = 3_000;
    private static final String NOISE = ":{}[],-#&*!|>'\"%@` \t\n\\?0123456789abcxyz.";
    private static final String[] TOKENS = {"", "-1", "0", "99999999999999999999", "1e400", "~", "null", "[]", "{}",
        "true", "0x1F", "2s", "-5m", "eni-zz", "a:b", "'unterminated", "\"", "*alias", "&anchor x", "!!binary AAAA",
        "[1, [2, [3]]]", "{a: {b: {c: d}}}", "? complex", "|\n  block", "10.0.1.999", "1.5h", "ms", "255.255.255.255"};

    @ParameterizedTest
    @ValueSource(strings = {"src/test/resources/lint/good/every-key.yaml", "../examples/redis-a.yaml"})
    void mutants_neverThrow_andReportSanePositions(String base) throws IOException {
        String original = Files.readString(Path.of(base));
        Random random = new Random(base.hashCode()); // seeded: a failure reproduces
        for (int i = 0; i < MUTANTS_PER_FILE; i++) {
            String mutant = original;
            int rounds = 1 + random.nextInt(3);
            for (int r = 0; r < rounds; r++) {
                mutant = mutate(mutant, random);
            }
            check(mutant, i);
        }
    }

    private static void check(String text, int index) {
        List<Finding> findings;
        try {
            findings = Linter.lint(List.of(new Linter.Source("mutant.yaml", text)), Linter.Options.DEFAULT);
        } catch (RuntimeException | StackOverflowError e) {
            fail("mutant " + index + " crashed the linter:\n" + text, e);
            return;
        }
        int lines = (int) text.lines().count() + 2;
        for (Finding f : findings) {
            assertTrue(f.at().line() >= 1 && f.at().line() <= lines, () -> "line out of the file: " + f + "\n" + text);
            assertTrue(f.at().column() >= 1, () -> "column below 1: " + f);
            assertFalse(f.message().isBlank(), () -> "blank message: " + f);
        }
        Linter.Linted again = Linter.lint(new Linter.Source("mutant.yaml", text), Linter.Options.DEFAULT);
        assertEquals(findings, again.findings(), "lint is deterministic");
        assertEquals(again.hasErrors(), again.config().isEmpty(), "a config is handed out exactly when there are no errors");
    }

    private static String mutate(String text, Random r) {
        if (text.isEmpty()) {
            return TOKENS[r.nextInt(TOKENS.length)];
        }
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        int li = r.nextInt(lines.size());
        int pos = r.nextInt(text.length());
        switch (r.nextInt(9)) {
            case 0 -> lines.remove(li);
            case 1 -> lines.add(li, lines.get(li));
            case 2 -> {
                if (li + 1 < lines.size()) {
                    lines.set(li, lines.set(li + 1, lines.get(li)));
                }
            }
            case 3 -> lines.set(li, r.nextBoolean() ? "  " + lines.get(li) : lines.get(li).replaceFirst("^ {1,2}", ""));
            case 4 -> {
                return text.substring(0, pos) + NOISE.charAt(r.nextInt(NOISE.length())) + text.substring(pos + 1);
            }
            case 5 -> {
                return text.substring(0, pos) + NOISE.charAt(r.nextInt(NOISE.length())) + text.substring(pos);
            }
            case 6 -> {
                return text.substring(0, pos);
            }
            case 7 -> {
                String line = lines.get(li);
                int colon = line.indexOf(": ");
                if (colon >= 0) {
                    lines.set(li, line.substring(0, colon + 2) + TOKENS[r.nextInt(TOKENS.length)]);
                }
            }
            default -> {
                return text.substring(0, pos) + text.substring(pos + 1);
            }
        }
        return String.join("\n", lines);
    }
}
