package io.haagent.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.config.HaagentConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark must time the whole lint of a clean config, not an early exit on a broken one. */
class LintBenchTest {
    @Test
    void generatedBenchmarkConfig_isCleanAndFullSize() {
        String text = LintBench.generate(LintBench.CHECKS, LintBench.SERVICES, LintBench.VRRP);
        Linter.Linted linted = Linter.lint(new Linter.Source("bench.yaml", text), Linter.Options.DEFAULT);
        assertEquals(List.of(), linted.findings());
        HaagentConfig c = linted.config().orElseThrow();
        assertEquals(List.of(1_000, 500, 50), List.of(c.checks().size(), c.services().size(), c.vrrp().size()));
    }
}
