package io.haagent.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.load.push.FailureReason;
import io.haagent.agent.load.push.PushListener;
import io.haagent.checker.probe.CheckResult;
import io.haagent.checker.probe.Reading;
import io.haagent.checker.probe.RedisReplication;
import io.haagent.checker.probe.RedisReplication.Role;
import io.haagent.config.HostPort;
import io.haagent.testkit.Promtool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The series a reload adds, replaces and removes; the daemon-level scrape is in MetricsScrapeTest. */
class AgentMetricsTest {
    private final AgentMetrics metrics = new AgentMetrics("Values: 0 A, 1 B", List.of("A", "B"), "1.2.3", "abc1234");

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void mailSpool_isAGauge_andSendFailuresACounterBornAtZero() {
        String before = metrics.scrape();
        assertTrue(before.contains("\nhaagent_mail_send_failures_total 0.0\n"), before);
        java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger(3);
        metrics.mail(pending::get);
        metrics.mailSendFailed();
        metrics.mailSendFailed();
        String s = metrics.scrape();
        assertTrue(s.contains("\nhaagent_mail_pending 3.0\n"), s);
        assertTrue(s.contains("\nhaagent_mail_send_failures_total 2.0\n"), s);
    }

    @Test
    void loadPush_everySeriesBornAtZero_thenCounting_andPassesPromtool() throws Exception {
        assertFalse(metrics.scrape().contains("haagent_load_push"), "nothing before the push is configured");
        PushListener push = metrics.loadPush();
        String before = metrics.scrape();
        for (String series : List.of("haagent_load_push_samples_total 0.0", "haagent_load_push_dropped_total 0.0",
                "haagent_load_push_buffered 0.0", "haagent_load_push_last_success_timestamp_seconds 0.0",
                "haagent_load_push_failures_total{reason=\"connect\"} 0.0",
                "haagent_load_push_failures_total{reason=\"timeout\"} 0.0",
                "haagent_load_push_failures_total{reason=\"http_status\"} 0.0",
                "haagent_load_push_failures_total{reason=\"auth\"} 0.0",
                "haagent_load_push_failures_total{reason=\"other\"} 0.0")) {
            assertTrue(before.contains("\n" + series + "\n"), series + " in\n" + before);
        }

        push.failed(FailureReason.CONNECT);
        push.dropped();
        push.buffered(360);
        metrics.loadPush().sent(Instant.ofEpochSecond(1_796_461_200L));

        String s = metrics.scrape();
        assertTrue(s.contains("\nhaagent_load_push_failures_total{reason=\"connect\"} 1.0\n"), s);
        assertTrue(s.contains("\nhaagent_load_push_dropped_total 1.0\n"), s);
        assertTrue(s.contains("\nhaagent_load_push_buffered 360.0\n"), s);
        assertTrue(s.contains("\nhaagent_load_push_samples_total 1.0\n"), "the same listener on a second call: " + s);
        assertTrue(s.contains("\nhaagent_load_push_last_success_timestamp_seconds 1.7964612E9\n"), s);
        assertEquals(List.of(), Promtool.checkMetrics(s), s);
    }

    @Test
    void vrrpInstance_whoseVridAReloadChanged_losesTheOldSeries_andCountsFromZeroUnderTheNew() {
        metrics.vrrpInstance("vip", 51, "eth0", () -> 100, () -> 100);
        metrics.vrrpAdvertSent("vip", 100);
        metrics.vrrpInstance("vip", 52, "eth0", () -> 100, () -> 100);

        String s = metrics.scrape();
        assertFalse(s.contains("vrid=\"51\""), s);
        assertTrue(s.contains("haagent_vrrp_adverts_sent_total{interface=\"eth0\",vrid=\"52\",vrrp_instance=\"vip\"} 0.0"), s);
    }

    @Test
    void priorityZeroSent_isACounterBornAtZero_countingOnlyTheResigningAdverts() {
        metrics.vrrpInstance("vip", 51, "eth0", () -> 100, () -> 100);
        String labels = "{interface=\"eth0\",vrid=\"51\",vrrp_instance=\"vip\"}";
        assertTrue(metrics.scrape().contains("haagent_vrrp_priority_zero_sent_total" + labels + " 0.0"), metrics.scrape());
        metrics.vrrpAdvertSent("vip", 100);
        metrics.vrrpAdvertSent("vip", 0);

        String s = metrics.scrape();
        assertTrue(s.contains("haagent_vrrp_priority_zero_sent_total" + labels + " 1.0"), s);
        assertTrue(s.contains("haagent_vrrp_adverts_sent_total" + labels + " 2.0"), s);
    }

    @Test
    void checkReadings_areGaugesPerCheck_presentWhileTheLastRunReadThem() {
        metrics.checkReadings("root", result(Optional.empty(), Optional.of(new Reading.DiskUsed(0.25))));
        metrics.checkReadings("shipped", result(Optional.empty(), Optional.of(new Reading.FileAge(Duration.ofMillis(90_500)))));
        RedisReplication.Replica behind = new RedisReplication.Replica("127.0.0.1", 6380, "online", 4000, 0);
        metrics.checkReadings("redis-a", result(Optional.of(new RedisReplication(Role.MASTER, Optional.empty(), false,
                OptionalLong.empty(), 5224, OptionalLong.empty(), List.of(behind), Map.of())), Optional.empty()));
        metrics.checkReadings("redis-b", result(Optional.of(new RedisReplication(Role.REPLICA,
                Optional.of(new HostPort("127.0.0.1", 6379)), false, OptionalLong.of(42), 4000, OptionalLong.of(4000),
                List.of(), Map.of())), Optional.empty()));

        String s = metrics.scrape();
        assertTrue(s.contains("haagent_disk_used_ratio{check=\"root\"} 0.25"), s);
        assertTrue(s.contains("haagent_file_age_seconds{check=\"shipped\"} 90.5"), s);
        assertTrue(s.contains("haagent_redis_replication_lag_bytes{check=\"redis-a\"} 1224"), s);
        assertTrue(s.contains("haagent_redis_master_link_down_seconds{check=\"redis-b\"} 42"), s);
        assertFalse(s.contains("haagent_redis_master_link_down_seconds{check=\"redis-a\"}"), "a master has no link: " + s);
        assertFalse(s.contains("haagent_redis_replication_lag_bytes{check=\"redis-b\"}"), "a replica has no lag to tell: " + s);

        // A run that could not read (the path vanished, Redis did not answer): no stale number, the series goes.
        metrics.checkReadings("root", result(Optional.empty(), Optional.empty()));
        metrics.checkReadings("redis-b", result(Optional.empty(), Optional.empty()));
        String after = metrics.scrape();
        assertFalse(after.contains("check=\"root\""), after);
        assertFalse(after.contains("check=\"redis-b\""), after);
        metrics.checkReadings("root", result(Optional.empty(), Optional.of(new Reading.DiskUsed(0.5))));
        assertTrue(metrics.scrape().contains("haagent_disk_used_ratio{check=\"root\"} 0.5"), metrics.scrape());

        metrics.forget("check", "shipped");
        assertFalse(metrics.scrape().contains("check=\"shipped\""), metrics.scrape());
    }

    private static CheckResult result(Optional<RedisReplication> replication, Optional<Reading> reading) {
        return new CheckResult(true, "read", Duration.ofMillis(2), replication, Optional.empty(), reading);
    }

    @Test
    void vrrpInstance_restartedWithTheSameLabels_keepsItsCounts_andReadsTheNewPriority() {
        metrics.vrrpInstance("vip", 51, "eth0", () -> 100, () -> 100);
        metrics.vrrpAdvertSent("vip", 100);
        metrics.vrrpInstance("vip", 51, "eth0", () -> 90, () -> 100);

        String s = metrics.scrape();
        assertTrue(s.contains("haagent_vrrp_adverts_sent_total{interface=\"eth0\",vrid=\"51\",vrrp_instance=\"vip\"} 1.0"), s);
        assertTrue(s.contains("haagent_vrrp_priority{interface=\"eth0\",vrid=\"51\",vrrp_instance=\"vip\"} 90"), s);
    }

    @Test
    void forget_dropsEverySeriesOfAnInstanceOrCheck_histogramToo() {
        metrics.vrrpInstance("vip", 51, "", () -> 100, () -> 100);
        metrics.checkResult("web", "tcp", true, 3_000_000);
        metrics.checkState("web", true);
        metrics.forget(AgentMetrics.VRRP_INSTANCE, "vip");
        metrics.forget("check", "web");

        String s = metrics.scrape();
        assertFalse(s.contains("vrrp_instance=\"vip\""), s);
        assertFalse(s.contains("check=\"web\""), s);
    }

    @Test
    void serviceState_setsItsStateSeriesTo1_andTheOthersTo0() {
        metrics.serviceState("app", 1, "B");

        String s = metrics.scrape();
        assertTrue(s.contains("haagent_service_in_state{service=\"app\",state=\"B\"} 1"), s);
        assertTrue(s.contains("haagent_service_in_state{service=\"app\",state=\"A\"} 0"), s);
        assertTrue(s.contains("haagent_service_state{service=\"app\"} 1"), s);
        assertTrue(s.contains("haagent_build_info{commit=\"abc1234\",version=\"1.2.3\"} 1"), s);
    }
}
