package io.haagent.agent.daemon;

import static io.haagent.agent.daemon.Exposition.samples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.testkit.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard the distribution ships (share/grafana/haagent.json, kept in packaging): every panel query is
 * PromQL that Prometheus accepts (each made a recording rule for {@code promtool check rules}), and names only
 * metrics a real running agent exports, so that no panel stays empty because a name is wrong.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Path.of("..", "packaging", "src", "main", "dist", "grafana", "haagent.json")
            .toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A metric name in a query: haagent's own, or the {@code up} Prometheus records per target. */
    private static final Pattern METRIC = Pattern.compile("\\b(haagent_[a-z0-9_]+|up)\\b(?![(:])");
    /** Grafana's variables, as Grafana would fill them for a query (the job and host ones are regex matchers). */
    private static final Map<String, String> VARIABLES = Map.of("$__rate_interval", "1m", "$__interval", "1m",
            "$__range", "1h", "$job", ".+", "$instance", ".+");

    @TempDir
    Path dir;

    @Test
    void everyPanelQuery_isValidPromQL() throws Exception {
        Map<String, String> queries = queries();
        StringBuilder rules = new StringBuilder("groups:\n  - name: haagent-dashboard\n    rules:\n");
        for (Map.Entry<String, String> q : queries.entrySet()) {
            // A JSON string is a YAML string too: no quoting of PromQL's own quotes and braces to get wrong.
            rules.append("      - record: haagent_dashboard:").append(q.getKey())
                    .append("\n        expr: ").append(JSON.writeValueAsString(q.getValue())).append('\n');
        }
        Path file = Files.writeString(dir.resolve("dashboard-rules.yml"), rules);

        Promtool.Run run = Promtool.run(dir, "check", "rules", file.toString());
        assertEquals(0, run.exitCode(), run.output() + "\n" + rules);
        assertTrue(run.output().contains("SUCCESS: " + queries.size() + " rules found"), run.output());
    }

    @Test
    void everyPanel_namesOnlyMetricsARealAgentExports_andTheIssuesPanelsAreThere() throws Exception {
        Set<String> named = new TreeSet<>();
        for (String expr : queries().values()) {
            METRIC.matcher(expr).results().map(r -> r.group(1)).forEach(named::add);
        }
        for (JsonNode variable : dashboard().path("templating").path("list")) {
            METRIC.matcher(variable.path("definition").asText()).results().map(r -> r.group(1)).forEach(named::add);
        }
        // What issue 12 asks the dashboard to show: VRRP state and priorities, adverts, checks and their durations,
        // service states and restarts, disk, file age, Redis lag and link, mail.
        assertTrue(named.containsAll(List.of("haagent_vrrp_state", "haagent_vrrp_priority",
                "haagent_vrrp_adverts_sent_total", "haagent_check_up", "haagent_check_duration_seconds_bucket",
                "haagent_service_state", "haagent_service_restarts_total", "haagent_disk_used_ratio",
                "haagent_file_age_seconds", "haagent_redis_replication_lag_bytes",
                "haagent_redis_master_link_down_seconds", "haagent_mail_pending")), named.toString());

        Set<String> exported;
        try (MetricsLab lab = MetricsLab.start(dir)) {
            exported = samples(lab.awaitEveryFamily()).stream().map(Exposition.Sample::name)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        exported.add("up"); // Prometheus' own, per target
        Set<String> unknown = new TreeSet<>(named);
        unknown.removeAll(exported);
        assertEquals(Set.of(), unknown, "names the agent does not export; it does:\n" + exported);
    }

    /** Every panel's query (rows' panels too) with Grafana's variables filled, by panel id and ref id. */
    private static Map<String, String> queries() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard().path("panels").forEach(panels::add);
        for (int i = 0; i < panels.size(); i++) {
            JsonNode panel = panels.get(i);
            panel.path("panels").forEach(panels::add);
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
                    expr = expr.replace(v.getKey(), v.getValue());
                }
                String where = "panel_" + panel.path("id").asInt() + "_" + target.path("refId").asText();
                assertFalse(expr.isBlank(), where + " has no query");
                assertFalse(expr.contains("$"), where + " uses a variable the dashboard does not define: " + expr);
                out.put(where, expr);
            }
        }
        assertTrue(out.size() >= 20, "found only " + out.size() + " queries in " + DASHBOARD);
        return out;
    }

    private static JsonNode dashboard() throws Exception {
        return JSON.readTree(Files.readString(DASHBOARD));
    }
}
