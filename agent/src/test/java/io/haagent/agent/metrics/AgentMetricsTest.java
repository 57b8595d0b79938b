package io.haagent.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    void vrrpInstance_whoseVridAReloadChanged_losesTheOldSeries_andCountsFromZeroUnderTheNew() {
        metrics.vrrpInstance("vip", 51, "eth0", () -> 100, () -> 100);
        metrics.vrrpAdvertSent("vip");
        metrics.vrrpInstance("vip", 52, "eth0", () -> 100, () -> 100);

        String s = metrics.scrape();
        assertFalse(s.contains("vrid=\"51\""), s);
        assertTrue(s.contains("haagent_vrrp_adverts_sent_total{interface=\"eth0\",vrid=\"52\",vrrp_instance=\"vip\"} 0.0"), s);
    }

    @Test
    void vrrpInstance_restartedWithTheSameLabels_keepsItsCounts_andReadsTheNewPriority() {
        metrics.vrrpInstance("vip", 51, "eth0", () -> 100, () -> 100);
        metrics.vrrpAdvertSent("vip");
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
