package io.haagent.agent.daemon;

import static io.haagent.agent.daemon.Exposition.has;
import static io.haagent.agent.daemon.Exposition.samples;
import static io.haagent.agent.daemon.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.daemon.Exposition.Sample;
import io.haagent.testkit.FreePorts;
import io.haagent.testkit.Promtool;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code haagent run} scraped the way Prometheus does (issue 12): what {@code promtool check metrics} says
 * of it, and the series an operator's queries and alerts rely on — their label names, counters that exist at 0
 * before the first event, the duration buckets, the state per label, the build, and OpenMetrics on request.
 */
class MetricsScrapeTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ServerSocket web;
    private int vrrpPort;
    private int peerPort;
    private ScrapedAgent agent;

    @BeforeEach
    void startDaemon() throws Exception {
        web = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1")); // the tcp check's target: up
        vrrpPort = FreePorts.tcp();
        peerPort = FreePorts.tcp();
        agent = ScrapedAgent.start(dir, sections(""));
    }

    @AfterEach
    void stop() throws IOException {
        try {
            agent.close();
        } finally {
            web.close();
        }
    }

    @Test
    void scrape_passesPromtoolCheckMetrics() throws Exception {
        // Every family present: a check result (histogram), a VRRP instance that elected itself, a service running.
        String body = await(m -> has(m, "haagent_vrrp_transitions_total", Map.of("to", "MASTER"), 1)
                && has(m, "haagent_service_state", Map.of("service", "sleeper"), 2)
                && samples(m).stream().anyMatch(s -> s.name().startsWith("haagent_check_duration_seconds")));

        assertEquals(List.of(), Promtool.checkMetrics(body), body);
        assertFalse(body.contains("process_cpu_time_ns_total"), "promtool: counter with a unit other than seconds");
        assertFalse(body.contains("system_cpu_count"), "promtool: a gauge must not end in _count");
    }

    @Test
    void vrrpSeries_nameTheInstanceVrrpInstance_withVridAndInterface() throws Exception {
        String body = await(m -> has(m, "haagent_vrrp_state", Map.of("vrrp_instance", "vip"), 2));

        for (Sample s : samples(body)) {
            if (s.name().startsWith("haagent_vrrp_")) {
                // Prometheus renames a scraped "instance" label to exported_instance: the target already has one.
                assertFalse(s.labels().containsKey("instance"), s.toString());
                assertEquals("vip", s.labels().get("vrrp_instance"), s.toString());
                assertEquals("51", s.labels().get("vrid"), s.toString());
                assertEquals("lo", s.labels().get("interface"), s.toString());
            }
        }
        assertEquals(150.0, value(body, "haagent_vrrp_priority", Map.of("vrrp_instance", "vip")));
        assertEquals(150.0, value(body, "haagent_vrrp_configured_priority", Map.of("vrrp_instance", "vip")));
        assertEquals(1.0, value(body, "haagent_vrrp_became_master_total", Map.of("vrrp_instance", "vip")));
        assertTrue(value(body, "haagent_vrrp_adverts_sent_total", Map.of("vrrp_instance", "vip")) >= 1, body);
    }

    @Test
    void counters_existAtZero_beforeTheFirstEvent_andANewNameGetsItsOnReload() throws Exception {
        // Born at 0, a restart reads as increase() of 1; a series born with its first restart reads 0.
        String body = await(m -> has(m, "haagent_service_state", Map.of("service", "sleeper"), 2));
        for (String counter : List.of("haagent_service_restarts_total", "haagent_service_give_ups_total",
                "haagent_escalations_total")) {
            assertEquals(0.0, value(body, counter, Map.of("service", "sleeper")), counter + "\n" + body);
        }
        for (String state : List.of("INIT", "BACKUP", "MASTER", "FAULT")) {
            assertTrue(value(body, "haagent_vrrp_transitions_total", Map.of("vrrp_instance", "vip", "to", state)) >= 0);
        }
        for (String reason : List.of("bad_auth", "wrong_vrid", "not_a_peer", "replayed")) {
            assertEquals(0.0, value(body, "haagent_vrrp_adverts_dropped_total",
                    Map.of("vrrp_instance", "vip", "reason", reason)), reason);
        }
        assertEquals(0.0, value(body, "haagent_vrrp_adverts_received_total", Map.of("vrrp_instance", "vip")));
        assertEquals(0.0, value(body, "haagent_vrrp_priority_zero_received_total", Map.of("vrrp_instance", "vip")));
        assertEquals(0.0, value(body, "haagent_config_reloads_total", Map.of("result", "ok")));
        assertEquals(0.0, value(body, "haagent_config_reloads_total", Map.of("result", "failed")));
        assertEquals(0.0, value(body, "haagent_admin_refused_total", Map.of("reason", "rate")));

        agent.rewrite(sections("""
                  napper:
                    process: { command: ["sleep", "600"], stop_timeout: 2s, start_grace: 1s }
                """));
        assertEquals(200, agent.post("/reload").statusCode());
        String after = await(m -> has(m, "haagent_config_reloads_total", Map.of("result", "ok"), 1));
        assertEquals(0.0, value(after, "haagent_service_restarts_total", Map.of("service", "napper")), after);
    }

    @Test
    void checkDuration_isAHistogramWithAHandfulOfBuckets_andNoMax() throws Exception {
        String body = await(m -> samples(m).stream().anyMatch(s -> s.name().equals("haagent_check_duration_seconds_count")));

        Set<String> bounds = samples(body).stream()
                .filter(s -> s.name().equals("haagent_check_duration_seconds_bucket"))
                .filter(s -> "web".equals(s.labels().get("check")))
                .map(s -> s.labels().get("le")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0",
                "10.0", "+Inf")), bounds, body);
        assertFalse(body.contains("haagent_check_duration_seconds_max"), body);
        assertTrue(value(body, "haagent_check_last_success_timestamp_seconds", Map.of("check", "web"))
                > System.currentTimeMillis() / 1000.0 - 120, body);
    }

    @Test
    void states_areOneSeriesPerStateLabel_besideTheNumericGauge() throws Exception {
        String body = await(m -> has(m, "haagent_service_state", Map.of("service", "sleeper"), 2)
                && has(m, "haagent_vrrp_state", Map.of("vrrp_instance", "vip"), 2));

        assertEquals(1.0, value(body, "haagent_service_in_state", Map.of("service", "sleeper", "state", "RUNNING")));
        for (String other : List.of("STOPPED", "STARTING", "BACKOFF", "FATAL", "PAUSED", "DOWN")) {
            assertEquals(0.0, value(body, "haagent_service_in_state", Map.of("service", "sleeper", "state", other)), other);
        }
        assertEquals(1.0, value(body, "haagent_vrrp_in_state", Map.of("vrrp_instance", "vip", "state", "MASTER")));
        for (String other : List.of("INIT", "BACKUP", "FAULT")) {
            assertEquals(0.0, value(body, "haagent_vrrp_in_state", Map.of("vrrp_instance", "vip", "state", other)), other);
        }
    }

    @Test
    void buildInfo_saysWhatTheVersionCommandSays() throws Exception {
        Process v = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "io.haagent.agent.cli.Main", "version")
                .redirectOutput(dir.resolve("version.out").toFile()).redirectErrorStream(true).start();
        try {
            assertTrue(v.waitFor(30, TimeUnit.SECONDS));
        } finally {
            v.destroyForcibly();
        }
        String line = Files.readString(dir.resolve("version.out")).strip(); // haagent 0.1.0 (a1b2c3d)
        Matcher m = Pattern.compile("^haagent (\\S+) \\(([^)]+)\\)$").matcher(line);
        assertTrue(m.matches(), line);

        String body = await(b -> samples(b).stream().anyMatch(s -> s.name().equals("haagent_build_info")));
        assertEquals(1.0, value(body, "haagent_build_info", Map.of("version", m.group(1), "commit", m.group(2))), body);
    }

    @Test
    void openMetrics_whenTheScraperAsksForIt() throws Exception {
        await(b -> b.contains("haagent_"));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + agent.address() + "/metrics"))
                .header("Accept", "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                r.headers().map().toString());
        assertTrue(r.body().endsWith("# EOF\n"), r.body());
        HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create("http://" + agent.address() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(plain.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    }

    // --- the daemon -----------------------------------------------------------------------------------

    /** The config under the node section, with {@code moreServices} after the sleeper. */
    private String sections(String moreServices) {
        return """
                checks:
                  web: { type: tcp, address: "127.0.0.1:%d", interval: 200ms }
                vrrp:
                  vip:
                    vrid: 51
                    priority: 150
                    advert_interval: 100ms
                    startup_delay: 0s
                    version: 3
                    transport: udp
                    interface: lo
                    unicast: { source: 127.0.0.1, port: %d, peers: ["127.0.0.1:%d"] }
                services:
                  sleeper:
                    process: { command: ["sleep", "600"], stop_timeout: 2s, start_grace: 1s }
                %s""".formatted(web.getLocalPort(), vrrpPort, peerPort, moreServices);
    }

    /** Polls /metrics until {@code ok}; bounded, never a fixed sleep. */
    private String await(Predicate<String> ok) {
        return agent.await("what the test waits for", ok);
    }
}
