package io.haagent.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules the distribution ships (share/prometheus/haagent-alerts.yml, kept in packaging) pass promtool's
 * checks and unit tests, and select only series the agent exports. Here rather than in packaging, which has no
 * test phase: the rules are about these metrics.
 */
class AlertRulesTest {
    private static final Path PACKAGING = Path.of("..", "packaging", "src").toAbsolutePath().normalize();
    private static final Path RULES = PACKAGING.resolve("main/dist/prometheus/haagent-alerts.yml");
    private static final Path RULE_TESTS = PACKAGING.resolve("test/prometheus/haagent-alerts.test.yml");

    /** {@code haagent_name{label="value",...}} in a rule's expr. */
    private static final Pattern SELECTOR = Pattern.compile("(haagent_\\w+)(?:\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    @Test
    void rules_passPromtoolCheckRules() throws Exception {
        Promtool.Run run = Promtool.run(RULES.getParent(), "check", "rules", RULES.toString());
        assertEquals(0, run.exitCode(), run.output());
    }

    @Test
    void rules_passTheirPromtoolUnitTests() throws Exception {
        // Run from the test file's folder: it names the rules file relative to itself.
        Promtool.Run run = Promtool.run(RULE_TESTS.getParent(), "test", "rules", RULE_TESTS.getFileName().toString());
        assertEquals(0, run.exitCode(), run.output());
    }

    /**
     * What issue 12 asks the rules to cover, each alert with a promtool case where it fires and one where it stays
     * quiet, so that a rule edited into silence fails its test.
     */
    @Test
    void rules_coverWhatOperatorsMustHear_eachFiringAndQuietInItsTests() throws Exception {
        List<String> expected = List.of("HaagentDualMaster", "HaagentVrrpFault", "HaagentCheckDown",
                "HaagentServiceFatal", "HaagentReloadFailed", "HaagentMailBacklog", "HaagentAgentDown");
        List<String> alerts = Pattern.compile("(?m)^\\s*- alert: (\\w+)$").matcher(Files.readString(RULES)).results()
                .map(r -> r.group(1)).toList();
        assertEquals(expected, alerts);
        String tests = Files.readString(RULE_TESTS);
        for (String alert : alerts) {
            Matcher cases = Pattern.compile("alertname: " + alert + "\\n\\s*exp_alerts:( \\[])?").matcher(tests);
            List<Boolean> quiet = cases.results().map(r -> r.group(1) != null).toList();
            assertTrue(quiet.contains(false), alert + " has no firing case in " + RULE_TESTS);
            assertTrue(quiet.contains(true), alert + " has no quiet case (exp_alerts: []) in " + RULE_TESTS);
        }
    }

    @Test
    void rules_selectOnlySeriesTheAgentExports() throws Exception {
        String scrape;
        try (var metrics = new AgentMetrics("Values: 2 RUNNING, 5 FATAL", List.of("RUNNING", "FATAL"), "1", "c")) {
            metrics.checkState("redis", false);
            metrics.service("redis");
            metrics.vrrpInstance("vip", 51, "eth0", () -> 100, () -> 100);
            metrics.reload(false, 1);
            metrics.mail(() -> 0);
            scrape = metrics.scrape();
        }
        List<String> lines = scrape.lines().filter(l -> !l.startsWith("#")).toList();
        Matcher selector = SELECTOR.matcher(Files.readString(RULES));
        int selectors = 0;
        while (selector.find()) {
            selectors++;
            String name = selector.group(1);
            Matcher m = MATCHER.matcher(selector.group(2) == null ? "" : selector.group(2));
            List<String> wanted = m.results().map(r -> r.group(1) + "=\"" + r.group(2) + "\"").toList();
            assertTrue(lines.stream().anyMatch(l -> (l.startsWith(name + "{") || l.startsWith(name + " "))
                            && wanted.stream().allMatch(l::contains)),
                    "no series " + selector.group() + " in the agent's scrape:\n" + scrape);
        }
        assertTrue(selectors >= 5, "found only " + selectors + " haagent_ selectors in " + RULES);
    }
}
