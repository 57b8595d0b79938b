package io.haagent.agent.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One sample rendered: the document's shape and the flat fields, as LoadSampler's javadoc states them. */
class LoadSamplerTest {
    private static final Instant AT = Instant.parse("2026-12-05T09:30:00.123456Z");
    private static final Clock CLOCK = Clock.fixed(AT, ZoneOffset.UTC);
    private static final Ec2Instance EC2 = new Ec2Instance("i-0123456789abcdef0", "eu-west-1a", "m6i.large");

    private static HaView masterInService() {
        SequencedMap<String, HaView.Vrrp> vrrp = new LinkedHashMap<>();
        vrrp.put("redis-vip", new HaView.Vrrp("MASTER", true));
        vrrp.put("web-vip", new HaView.Vrrp("BACKUP", false));
        SequencedMap<String, String> services = new LinkedHashMap<>();
        services.put("redis", "RUNNING");
        services.put("app", "BACKOFF");
        return new HaView(HaView.Lifecycle.IN_SERVICE, vrrp, services);
    }

    private static LoadSampler sampler(Path proc, HaViewSource ha) {
        return new LoadSampler("web-1", "web", HostReaders.linux(proc, List.of(), List.of()), () -> Optional.of(EC2),
                ha::get, CLOCK);
    }

    interface HaViewSource {
        HaView get();
    }

    @Test
    void document_keysInOrder_hostSeriesHaProblems() {
        PushedSample s = sampler(HostReadersTest.fixture("eight-cpus"), LoadSamplerTest::masterInService).sample();

        assertEquals("web-1", s.node());
        assertEquals("web", s.role());
        assertEquals(1, s.seq());
        assertEquals(Instant.parse("2026-12-05T09:30:00.123Z"), s.time(), "to the millisecond");
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) Json.read(new String(s.json(), StandardCharsets.UTF_8));
        assertEquals(List.of("node", "role", "seq", "time", "host", "series", "ha", "problems"),
                List.copyOf(doc.keySet()));
        assertEquals("web-1", doc.get("node"));
        assertEquals(1L, doc.get("seq"));
        assertEquals("2026-12-05T09:30:00.123Z", doc.get("time"));
        assertEquals(Map.of("vcpus", 8L, "memory_total_bytes", 3742148L * 1024, "instance_id", "i-0123456789abcdef0",
                "availability_zone", "eu-west-1a", "instance_type", "m6i.large"), doc.get("host"));
        @SuppressWarnings("unchecked")
        Map<String, Object> series = (Map<String, Object>) doc.get("series");
        assertEquals(444.9, series.get("node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}"));
        assertEquals(68210035552L, series.get("node_network_receive_bytes_total{device=\"eth0\"}"), "an integer");
        assertEquals("node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}", series.keySet().iterator().next());
        assertEquals(Map.of("lifecycle", "in_service",
                "vrrp", Map.of("redis-vip", Map.of("state", "MASTER", "actions_running", true),
                        "web-vip", Map.of("state", "BACKUP", "actions_running", false)),
                "services", Map.of("redis", "RUNNING", "app", "BACKOFF")), doc.get("ha"));
        assertEquals(1, ((List<?>) doc.get("problems")).size(), "MemAvailable: " + doc.get("problems"));
    }

    @Test
    void fields_theSameSampleFlat_stringsInStableOrder() {
        PushedSample s = sampler(HostReadersTest.fixture("eight-cpus"), LoadSamplerTest::masterInService).sample();
        SequencedMap<String, String> f = s.fields();

        List<String> keys = new ArrayList<>(f.keySet());
        assertEquals(List.of("node", "role", "seq", "time", "vcpus", "memory_total_bytes", "instance_id",
                "availability_zone", "instance_type"), keys.subList(0, 9));
        assertEquals(List.of("lifecycle", "vrrp_state{instance=\"redis-vip\"}",
                "vrrp_actions_running{instance=\"redis-vip\"}", "vrrp_state{instance=\"web-vip\"}",
                "vrrp_actions_running{instance=\"web-vip\"}", "service_state{service=\"redis\"}",
                "service_state{service=\"app\"}", "problems"), keys.subList(keys.size() - 8, keys.size()));
        assertEquals("1", f.get("seq"));
        assertEquals("2026-12-05T09:30:00.123Z", f.get("time"));
        assertEquals("8", f.get("vcpus"));
        assertEquals("444.9", f.get("node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}"));
        assertEquals("0", f.get("node_cpu_seconds_total{cpu=\"7\",mode=\"steal\"}"), "a whole decimal, no fraction");
        assertEquals("0.21", f.get("node_load1"));
        assertEquals("68210035552", f.get("node_network_receive_bytes_total{device=\"eth0\"}"));
        assertEquals("MASTER", f.get("vrrp_state{instance=\"redis-vip\"}"));
        assertEquals("1", f.get("vrrp_actions_running{instance=\"redis-vip\"}"));
        assertEquals("0", f.get("vrrp_actions_running{instance=\"web-vip\"}"));
        assertEquals("BACKOFF", f.get("service_state{service=\"app\"}"));
        assertEquals("in_service", f.get("lifecycle"));
        assertTrue(f.get("problems").startsWith("node_memory_MemAvailable_bytes left out"), f.get("problems"));
        Map<?, ?> series = (Map<?, ?>) ((Map<?, ?>) Json.read(new String(s.json(), StandardCharsets.UTF_8)))
                .get("series");
        for (Object name : series.keySet()) {
            assertTrue(f.containsKey((String) name), "every series is a field: " + name);
        }
    }

    @Test
    void seq_countsFromOne(@TempDir Path proc) {
        LoadSampler sampler = sampler(proc, HaView::starting);
        assertEquals(List.of(1L, 2L, 3L), List.of(sampler.sample().seq(), sampler.sample().seq(),
                sampler.sample().seq()));
    }

    @Test
    void nothingReadable_stillASample_everyFailureASentence_problemsFieldAlwaysThere(@TempDir Path proc)
            throws Exception {
        Files.writeString(proc.resolve("loadavg"), "0.50 0.40 0.30 2/100 1234\n");
        PushedSample s = new LoadSampler("web-1", "web", HostReaders.linux(proc, List.of(), List.of()),
                Optional::empty, () -> {
                    throw new IllegalStateException("not started");
                }, CLOCK).sample();

        Map<?, ?> doc = (Map<?, ?>) Json.read(new String(s.json(), StandardCharsets.UTF_8));
        assertEquals(Map.of(), doc.get("host"));
        assertEquals(Map.of("node_load1", 0.5, "node_load5", 0.4, "node_load15", 0.3), doc.get("series"));
        assertTrue(doc.containsKey("ha"));
        assertNull(doc.get("ha"));
        List<?> problems = (List<?>) doc.get("problems");
        assertEquals(5, problems.size(), problems.toString());
        assertEquals("HA states left out: the daemon could not say (not started)", problems.getLast());
        assertEquals(String.join("\n", problems.stream().map(String::valueOf).toList()), s.fields().get("problems"));

        PushedSample fine = sampler(HostReadersTest.fixture("container"), HaView::starting).sample();
        assertEquals("", fine.fields().get("problems"), "present and empty when there is none");
        assertEquals("starting", fine.fields().get("lifecycle"));
    }
}
