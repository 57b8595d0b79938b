package io.haagent.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.testkit.Eventually;
import io.haagent.testkit.PrometheusServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scraping a real agent every second (issue 12): what Prometheus itself stores and answers, not
 * what a test reads off the exposition — the target up, the labels as documented (no {@code exported_instance}), a
 * counter born at 0 whose {@code increase()} sees a real restart, and OpenMetrics chosen by Prometheus' own
 * {@code Accept} header.
 */
class RealPrometheusTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void prometheus_storesTheAgentsSeries_asDocumented_andSeesARealRestartAsAnIncrease() throws Exception {
        PrometheusServer.assumeAvailable();
        try (MetricsLab lab = MetricsLab.start(dir);
             PrometheusServer prometheus = PrometheusServer.scraping("haagent", lab.agent().address())) {
            lab.awaitEveryFamily();
            String target = lab.agent().address();

            assertEquals(1.0, only(await(prometheus, "up{job=\"haagent\"} == 1")).value());
            // Stored at 0 before anything happened to the service: the restart below is an increase from it.
            await(prometheus, "haagent_service_restarts_total{service=\"sleeper\"} == 0");
            Series state = only(await(prometheus, "haagent_vrrp_state == 2"));
            assertEquals(new TreeMap<>(Map.of("__name__", "haagent_vrrp_state", "instance", target, "job", "haagent",
                    "vrrp_instance", "vip", "vrid", "51", "interface", "lo")), state.labels());
            await(prometheus, "haagent_redis_replication_lag_bytes{check=\"redis-master\"}");
            // Prometheus renames a scraped label that collides with a target label to exported_*: none may.
            assertEquals(List.of(), query(prometheus, "{__name__=~\".+\", exported_instance!=\"\"}"));
            assertEquals(List.of(), query(prometheus, "{__name__=~\".+\", exported_job!=\"\"}"));

            ProcessHandle sleeper = lab.agent().handle().descendants()
                    .filter(p -> p.info().command().orElse("").endsWith("/sleep")).findFirst()
                    .orElseThrow(() -> new AssertionError("no sleep below the agent:\n" + lab.agent().log()));
            sleeper.destroyForcibly(); // a crash: the agent restarts it
            Series restarted = only(await(prometheus,
                    "increase(haagent_service_restarts_total{service=\"sleeper\"}[1m]) > 0"));
            assertTrue(restarted.value() > 0, restarted.toString());

            // OpenMetrics names a counter's family without _total and has an info type; the text format has neither.
            // So the family metadata Prometheus kept says which format its own Accept header negotiated.
            Map<String, String> types = metadataTypes(prometheus, "haagent_build", "haagent_service_restarts",
                    "haagent_build_info", "haagent_service_restarts_total");
            assertEquals(Map.of("haagent_build", "info", "haagent_service_restarts", "counter"), types);
        }
    }

    /** One series of a query's answer. */
    record Series(Map<String, String> labels, double value) {}

    private static Series only(List<Series> result) {
        assertEquals(1, result.size(), result.toString());
        return result.getFirst();
    }

    /** The instant query's vector, once it is not empty. */
    private static List<Series> await(PrometheusServer prometheus, String promql) {
        List<List<Series>> last = new ArrayList<>(1);
        return Eventually.get(WAIT, () -> "Prometheus to answer " + promql + "; last: " + last + "\ntargets: "
                + prometheus.get("/api/v1/targets") + "\nlog:\n" + prometheus.logTail(), () -> {
                    List<Series> result = query(prometheus, promql);
                    last.clear();
                    last.add(result);
                    return Optional.of(result).filter(r -> !r.isEmpty());
                });
    }

    private static List<Series> query(PrometheusServer prometheus, String promql) throws Exception {
        JsonNode answer = JSON.readTree(prometheus.query(promql));
        assertEquals("success", answer.path("status").asText(), answer.toString());
        assertEquals("vector", answer.path("data").path("resultType").asText(), answer.toString());
        List<Series> out = new ArrayList<>();
        for (JsonNode r : answer.path("data").path("result")) {
            Map<String, String> labels = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = r.path("metric").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                labels.put(e.getKey(), e.getValue().asText());
            }
            out.add(new Series(labels, Double.parseDouble(r.path("value").get(1).asText())));
        }
        return out;
    }

    /** The type Prometheus' target metadata holds for each family, as the scrape declared it. */
    private static Map<String, String> metadataTypes(PrometheusServer prometheus, String... families) throws Exception {
        Map<String, String> types = new TreeMap<>();
        for (String family : families) {
            JsonNode answer = JSON.readTree(prometheus.get("/api/v1/targets/metadata?match_target="
                    + URLEncoder.encode("{job=\"haagent\"}", StandardCharsets.UTF_8) + "&metric=" + family));
            for (JsonNode m : answer.path("data")) {
                types.put(family, m.path("type").asText());
            }
        }
        return types;
    }
}
