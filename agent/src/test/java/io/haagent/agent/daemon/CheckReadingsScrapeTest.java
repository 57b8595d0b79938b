package io.haagent.agent.daemon;

import static io.haagent.agent.daemon.Exposition.has;
import static io.haagent.agent.daemon.Exposition.samples;
import static io.haagent.agent.daemon.Exposition.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.Promtool;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers an operator graphs, in a real agent's scrape (issue 12): what its disk, file_age and redis checks
 * read, as gauges per check, and the priority-0 adverts it sends when it resigns.
 */
class CheckReadingsScrapeTest {
    @TempDir
    Path dir;

    private MetricsLab lab;

    @BeforeEach
    void start() throws Exception {
        lab = MetricsLab.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
    }

    @Test
    void diskAndFileAge_areGaugesPerCheck_withTheNumbersTheChecksRead() throws Exception {
        String body = lab.awaitEveryFamily();

        FileStore store = Files.getFileStore(dir);
        double used = (double) (store.getTotalSpace() - store.getUsableSpace()) / store.getTotalSpace();
        double ratio = value(body, "haagent_disk_used_ratio", Map.of("check", "root"));
        assertTrue(ratio >= 0 && ratio <= 1 && Math.abs(ratio - used) < 0.01, ratio + " vs " + used);
        double age = value(body, "haagent_file_age_seconds", Map.of("check", "shipped"));
        long written = MetricsLab.SHIPPED_AGE.toSeconds();
        assertTrue(age >= written && age < written + 60, "shipped.log was written " + written + "s ago: " + age);
        // One series per check of its kind, none on the others.
        assertEquals(List.of("root"), checksOf(body, "haagent_disk_used_ratio"));
        assertEquals(List.of("shipped"), checksOf(body, "haagent_file_age_seconds"));
        assertEquals(List.of(), Promtool.checkMetrics(body), body);
    }

    @Test
    void redis_replicaLinkDownSeconds_zeroWhileUp_masterLag_andAKilledMastersSeriesGoes() throws Exception {
        String body = lab.awaitEveryFamily();
        assertEquals(List.of("redis-master"), checksOf(body, "haagent_redis_replication_lag_bytes"));
        assertEquals(List.of("redis-replica"), checksOf(body, "haagent_redis_master_link_down_seconds"));

        lab.master().kill();
        // The replica counts its seconds without its master; the master's lag, no longer read, is not left stale.
        String after = lab.agent().await("the replica's link down, the master's lag gone",
                m -> samples(m).stream().anyMatch(s -> s.name().equals("haagent_redis_master_link_down_seconds")
                        && s.value() >= 1) && checksOf(m, "haagent_redis_replication_lag_bytes").isEmpty());
        assertFalse(has(after, "haagent_redis_master_link_down_seconds", Map.of("check", "redis-replica"), 0), after);
    }

    @Test
    void priorityZeroSent_isBornAtZero_andCountsTheResignationWhenATrackedCheckFaultsTheMaster() throws Exception {
        String body = lab.awaitEveryFamily();
        assertEquals(0.0, value(body, "haagent_vrrp_priority_zero_sent_total", Map.of("vrrp_instance", "vip")), body);

        lab.closeGate();
        // RFC 5798 §6.4.3: a master leaving sends priority 0 so that its backup takes over at once.
        String after = lab.agent().await("the instance FAULT, priority 0 sent",
                m -> has(m, "haagent_vrrp_in_state", Map.of("vrrp_instance", "vip", "state", "FAULT"), 1)
                        && value(m, "haagent_vrrp_priority_zero_sent_total", Map.of("vrrp_instance", "vip")) >= 1);
        assertEquals(0.0, value(after, "haagent_vrrp_priority_zero_received_total", Map.of("vrrp_instance", "vip")));
    }

    private static List<String> checksOf(String body, String name) {
        return samples(body).stream().filter(s -> s.name().equals(name)).map(s -> s.labels().get("check")).sorted().toList();
    }
}
