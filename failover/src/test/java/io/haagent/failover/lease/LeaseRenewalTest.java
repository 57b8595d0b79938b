package io.haagent.failover.lease;

import static io.haagent.failover.lease.LeaseNode.EPOCH;
import static io.haagent.failover.lease.LeaseNode.RENEW_EVERY;
import static io.haagent.failover.lease.LeaseNode.TRUSTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haagent.failover.lease.LeaseAction.DeleteLease;
import io.haagent.failover.lease.LeaseAction.Demote;
import io.haagent.failover.lease.LeaseAction.SendRenewal;
import io.haagent.failover.lease.LeaseInput.RenewalAcked;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The holder's own deadline: set by each renewal's send time, and MASTER ends there without an answer. */
class LeaseRenewalTest {

    private final LeaseNode n = LeaseNode.holder();
    private final long acquiredAt = n.now();

    @Test
    void trustedSpan_isTheSessionTimeoutLessTheMargin_andRenewalsComeSixTimesASession() {
        assertEquals(TRUSTED, n.state.deadlineNanos() - acquiredAt);
        assertEquals(1_666_666_666L, RENEW_EVERY);
    }

    @Test
    void holder_sendsARenewalWhenDue_quietly() {
        assertEquals(List.of(), n.at(acquiredAt + RENEW_EVERY - 1).actions());
        LeaseDecision d = n.at(acquiredAt + RENEW_EVERY);
        assertEquals(List.of(new SendRenewal()), d.actions());
        assertEquals(Optional.empty(), d.sentence());
        assertEquals(n.now() + RENEW_EVERY, d.nextWakeAtNanos());
    }

    @Test
    void renewalAckedLate_movesTheDeadlineByItsSendTime_notItsArrival() {
        long sent = acquiredAt + RENEW_EVERY;
        n.at(sent);
        n.advance(Duration.ofSeconds(3)); // a slow answer
        n.feed(new RenewalAcked(sent));
        assertEquals(sent + TRUSTED, n.state.deadlineNanos());
        assertEquals(sent, n.state.renewedNanos());
    }

    @Test
    void anAnswerArrivingAtTheDeadline_toARenewalSentBeforeIt_keepsTheLease() {
        long sent = acquiredAt + Duration.ofSeconds(7).toNanos();
        n.advance(Duration.ofSeconds(8)); // the loop did not wake at the deadline before the answer came
        LeaseDecision d = n.feed(new RenewalAcked(sent));
        assertEquals(LeasePhase.HELD, n.phase());
        assertEquals(List.of(), d.actions());
        assertEquals(sent + TRUSTED, n.state.deadlineNanos());
    }

    @Test
    void anOlderRenewalAnsweredLast_cannotShortenTheDeadline() {
        long older = acquiredAt + RENEW_EVERY;
        long newer = older + RENEW_EVERY;
        n.at(newer);
        n.feed(new RenewalAcked(newer));
        n.feed(new RenewalAcked(older));
        assertEquals(newer + TRUSTED, n.state.deadlineNanos());
    }

    @Test
    void noAnswer_keepsMasterUntilJustBeforeTheDeadline_andDemotesExactlyAtIt() {
        long deadline = acquiredAt + TRUSTED;
        LeaseDecision before = n.at(deadline - 1);
        assertEquals(LeasePhase.HELD, n.phase());
        assertEquals(deadline, before.nextWakeAtNanos()); // the deadline comes before the next renewal

        LeaseDecision at = n.at(deadline);
        assertEquals(List.of(new DeleteLease(EPOCH), new Demote("deadline passed 8.0s after the last renewal without"
                + " ZooKeeper, and the peer is not heard as a lower-priority BACKUP")), at.actions());
        assertEquals(Optional.of("(redis-vip) lease: demoted because deadline passed 8.0s after the last renewal"
                + " without ZooKeeper, and the peer is not heard as a lower-priority BACKUP"), at.sentence());
        assertEquals(LeasePhase.IDLE, n.phase());
        assertEquals(Long.MAX_VALUE, at.nextWakeAtNanos());
    }

    @Test
    void answeredRenewals_keepTheLeaseForever() {
        for (int i = 0; i < 100; i++) {
            LeaseDecision d = n.at(n.last().nextWakeAtNanos());
            if (d.actions().contains(new SendRenewal())) {
                n.advance(Duration.ofMillis(200));
                n.feed(new RenewalAcked(n.now() - Duration.ofMillis(200).toNanos()));
            }
        }
        assertEquals(LeasePhase.HELD, n.phase());
        assertEquals(Optional.empty(), n.decisions.stream().skip(2).flatMap(d -> d.sentence().stream()).findFirst());
    }

    @Test
    void params_refuseAMarginOutsideItsRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LeaseParams("redis-vip", 10_000_000_000L, 0, 0));
        assertEquals("(redis-vip) lease margin must be 1..50 percent, got 0", e.getMessage());
    }
}
