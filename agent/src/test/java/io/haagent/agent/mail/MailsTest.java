package io.haagent.agent.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.agent.heal.HealEvent;
import io.haagent.agent.heal.HealEvent.Kind;
import io.haagent.config.Ipv4;
import io.haagent.config.MailConfig.MailEvent;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.VrrpEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MailsTest {
    static final Instant AT = Instant.parse("2026-11-22T03:01:42Z");

    static VrrpEvent promoted(String id) {
        return new VrrpEvent(id, "redis-vip", VrrpState.BACKUP, VrrpState.MASTER, "master silent for 3.6s", 100,
                Optional.of(Ipv4.parse("10.0.1.10")), AT);
    }

    static HealEvent healEvent(String id, Kind kind, String service) {
        return new HealEvent(id, kind, Optional.ofNullable(service), "app: restarted because check web went DOWN [event " + id + "]");
    }

    @Test
    void vrrpTransition_subjectNamesHostInstanceAndStates_bodyHasFieldsThenSteps() {
        Mail m = Mails.vrrpTransition("web01", promoted("3kq9x2ab"),
                List.of(new ActionLine("redis promote", "ok", Duration.ofMillis(12)),
                        new ActionLine("eni attach", "failed: timed out", Duration.ofSeconds(30))));

        assertEquals("[haagent] web01: redis-vip BACKUP -> MASTER", m.subject());
        assertEquals(MailEvent.VRRP_TRANSITION, m.event());
        assertEquals(List.of("3kq9x2ab"), m.eventIds());
        assertEquals(AT, m.created());
        assertEquals("""
                host:     web01
                event id: 3kq9x2ab
                instance: redis-vip
                from:     BACKUP
                to:       MASTER
                reason:   master silent for 3.6s
                priority: 100
                master:   10.0.1.10
                at:       2026-11-22T03:01:42Z

                steps:
                  redis promote  ok                 12 ms
                  eni attach     failed: timed out  30000 ms
                """, m.body());
    }

    @Test
    void vrrpTransition_withoutSteps_saysNone() {
        Mail m = Mails.vrrpTransition("web01", promoted("x"), List.of());
        assertTrue(m.body().endsWith("\nsteps: none\n"), m.body());
    }

    // Issue 12: every agent start mailed INIT -> BACKUP/MASTER; a start is its own event, off by default.
    @Test
    void vrrpTransition_fromInit_isAStartMail_notATransition() {
        Mail start = Mails.vrrpTransition("web01", new VrrpEvent("s1", "redis-vip", VrrpState.INIT, VrrpState.BACKUP,
                "started", 100, Optional.empty(), AT), List.of());
        assertEquals(MailEvent.VRRP_START, start.event());
        assertFalse(MailEvent.byDefault().contains(MailEvent.VRRP_START));
        assertTrue(MailEvent.byDefault().contains(MailEvent.VRRP_TRANSITION));
    }

    // Issue 12: a failover mail must not wait for a grouping window opened by some other mail.
    @Test
    void vrrpTransition_toMasterOrFault_isUrgent_toBackupIsNot() {
        assertTrue(Mails.vrrpTransition("web01", promoted("m"), List.of()).urgent());
        assertTrue(Mails.vrrpTransition("web01", new VrrpEvent("f", "redis-vip", VrrpState.MASTER, VrrpState.FAULT,
                "check redis down", 100, Optional.empty(), AT), List.of()).urgent());
        assertFalse(Mails.vrrpTransition("web01", new VrrpEvent("b", "redis-vip", VrrpState.MASTER, VrrpState.BACKUP,
                "higher priority", 100, Optional.empty(), AT), List.of()).urgent());
        assertFalse(Mails.heal("web01", healEvent("r", Kind.RESTART, "app")).orElseThrow().urgent());
    }

    // Issue 12: a check that nothing heals could stay DOWN for minutes and nobody was told.
    @Test
    void checkDown_subjectHasHostCheckHowLongAndReason_bodyHasTheEventId() {
        Mail m = Mails.checkDown("web01", "disk", "disk 93% used > 90%", Duration.ofMillis(20_400), 3, AT);
        assertEquals("[haagent] web01: check disk DOWN for 20s: disk 93% used > 90%", m.subject());
        assertEquals(MailEvent.CHECK_DOWN, m.event());
        assertFalse(m.urgent());
        assertEquals(1, m.eventIds().size());
        for (String line : List.of("host:     web01", "event id: " + m.eventIds().getFirst(), "check:    disk",
                "reason:   disk 93% used > 90%", "down for: 20s (3 failures in a row)")) {
            assertTrue(m.body().contains(line + "\n"), "body lacks '" + line + "':\n" + m.body());
        }
    }

    @Test
    void checkUp_saysHowLongItWasDown() {
        Mail m = Mails.checkUp("web01", "disk", "disk 41% used", Duration.ofSeconds(303), AT);
        assertEquals("[haagent] web01: check disk UP after 5m3s down: disk 41% used", m.subject());
        assertEquals(MailEvent.CHECK_UP, m.event());
        assertTrue(m.body().contains("was down for: 5m3s\n"), m.body());
    }

    @Test
    void heal_subjectsPerKind() {
        assertEquals("[haagent] web01: service app restarted",
                Mails.heal("web01", healEvent("a", Kind.RESTART, "app")).orElseThrow().subject());
        assertEquals("[haagent] web01: VM restart of app",
                Mails.heal("web01", healEvent("b", Kind.ESCALATION, "app")).orElseThrow().subject());
        Mail gaveUp = Mails.heal("web01", healEvent("c", Kind.GIVE_UP, "app")).orElseThrow();
        assertEquals("[haagent] web01: gave up on app (FATAL)", gaveUp.subject());
        assertEquals(MailEvent.GIVE_UP, gaveUp.event());
        assertTrue(gaveUp.body().contains("event id: c\n"), gaveUp.body());
        assertEquals(MailEvent.GIVE_UP, Mails.heal("web01", healEvent("d", Kind.HOST_HELD, null)).orElseThrow().event());
        assertFalse(Mails.heal("web01", healEvent("e", Kind.HOST_RELEASED, null)).isPresent());
    }

    @Test
    void reloadRefused_listsFindings_andGetsAnEventId() {
        Mail m = Mails.reloadRefused("web01", "the new config has 2 errors",
                List.of("/etc/haagent/haagent.yaml:3:5: error: unknown key 'prio' [unknown-key]"));
        assertEquals("[haagent] web01: config reload refused", m.subject());
        assertEquals(MailEvent.RELOAD_FAILED, m.event());
        assertEquals(1, m.eventIds().size());
        assertTrue(m.body().contains("event id: " + m.eventIds().getFirst() + "\n"), m.body());
        assertTrue(m.body().contains("\n  /etc/haagent/haagent.yaml:3:5: error: unknown key 'prio'"), m.body());
    }

    @Test
    void subject_aNewlineInAReason_cannotStartAHeader() {
        Mail m = new Mail(MailEvent.RESTART, "web01", "app\r\nBcc: evil@example.com", "", List.of("a"), AT);
        assertEquals("[haagent] web01: app Bcc: evil@example.com", m.subject());
    }

    @Test
    void digest_countsBySummary_andKeepsEveryBody() {
        Mail vrrp = Mails.vrrpTransition("web01", promoted("v1"), List.of());
        List<Mail> restarts = List.of("r1", "r2", "r3", "r4").stream()
                .map(id -> Mails.heal("web01", healEvent(id, Kind.RESTART, "app")).orElseThrow()).toList();
        List<Mail> all = new java.util.ArrayList<>(List.of(vrrp));
        all.addAll(restarts);

        Mail d = Mails.digest("web01", all);

        assertEquals("[haagent] web01: 5 events (redis-vip BACKUP -> MASTER, service app restarted ×4)", d.subject());
        assertEquals(List.of("v1", "r1", "r2", "r3", "r4"), d.eventIds());
        for (Mail m : all) {
            assertTrue(d.body().contains(m.body()), "digest lacks " + m.eventIds());
        }
        assertEquals(vrrp, Mails.digest("web01", List.of(vrrp)), "one mail is no digest");
    }
}
