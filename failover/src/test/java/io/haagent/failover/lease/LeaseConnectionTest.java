package io.haagent.failover.lease;

import static io.haagent.failover.lease.LeaseNode.EPOCH;
import static io.haagent.failover.lease.LeaseNode.SESSION;
import static io.haagent.failover.lease.LeaseNode.TRUSTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.haagent.failover.lease.LeaseAction.AcquireLease;
import io.haagent.failover.lease.LeaseAction.DeleteLease;
import io.haagent.failover.lease.LeaseAction.Demote;
import io.haagent.failover.lease.LeaseAction.PauseWrites;
import io.haagent.failover.lease.LeaseAction.SendRenewal;
import io.haagent.failover.lease.LeaseAction.UnpauseWrites;
import io.haagent.failover.lease.LeaseInput.LeaseGone;
import io.haagent.failover.lease.LeaseInput.Lost;
import io.haagent.failover.lease.LeaseInput.Reconnected;
import io.haagent.failover.lease.LeaseInput.RenewalAcked;
import io.haagent.failover.lease.LeaseInput.Suspended;
import io.haagent.failover.lease.LeaseInput.WantsMaster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Curator's connection states: a SUSPENDED blip pauses writes until RECONNECTED with the same session; the deadline,
 * a new session or LOST demote.
 */
class LeaseConnectionTest {

    private final LeaseNode n = LeaseNode.holder();
    private final long deadline = n.now() + TRUSTED;

    @Test
    void suspendedBeforeTheDeadline_pausesWritesUntilTheSessionCouldExpire_pastTheDeadlineByTheMargin() {
        n.advance(Duration.ofMillis(1200));
        LeaseDecision d = n.feed(new Suspended());
        // the pause outlasts the deadline (6.8 s) by the margin (2 s): no write lands between the deadline and the
        // demotion's REPLICAOF, and the pause ends before the peer can hold the lease
        assertEquals(List.of(new PauseWrites(8800)), d.actions());
        assertEquals(Optional.of("(redis-vip) lease: SUSPENDED 1.2s after the last renewal; writes paused for at most"
                + " 8.8s, demoted at the deadline in 6.8s unless RECONNECTED"), d.sentence());
        assertEquals(LeasePhase.SUSPENDED, n.phase());
        assertEquals(deadline, d.nextWakeAtNanos()); // no renewals while there is no connection
        assertInstanceOf(Fence.Granted.class, n.fence()); // still ours until the deadline
    }

    @Test
    void pauseIsBoundedByTheDeadlineTheLastRenewalSet() {
        long sent = n.now() + Duration.ofSeconds(2).toNanos();
        n.at(sent);
        n.advance(Duration.ofMillis(500));
        n.feed(new RenewalAcked(sent));
        n.advance(Duration.ofMillis(1500));
        LeaseDecision d = n.feed(new Suspended());
        assertEquals(List.of(new PauseWrites(8000)), d.actions()); // sent + 10 s - now
        assertEquals(Optional.of("(redis-vip) lease: SUSPENDED 2.0s after the last renewal; writes paused for at most"
                + " 8.0s, demoted at the deadline in 6.0s unless RECONNECTED"), d.sentence());
    }

    @Test
    void reconnectedWithTheSameSession_unpausesAndRenewsAtOnce() {
        n.advance(Duration.ofSeconds(1));
        n.feed(new Suspended());
        n.advance(Duration.ofSeconds(2));
        LeaseDecision d = n.feed(new Reconnected(SESSION));
        assertEquals(List.of(new UnpauseWrites(), new SendRenewal()), d.actions());
        assertEquals(Optional.of("(redis-vip) lease: RECONNECTED with the same session 0x1234 after 2.0s SUSPENDED;"
                + " writes unpaused"), d.sentence());
        assertEquals(LeasePhase.HELD, n.phase());
        assertEquals(deadline, n.state.deadlineNanos()); // only the renewal's answer moves it
    }

    @Test
    void suspendedUntilTheDeadline_demotesThere_withoutUnpausing() {
        n.advance(Duration.ofSeconds(1));
        n.feed(new Suspended());
        assertEquals(LeasePhase.SUSPENDED, n.at(deadline - 1).state().phase());
        LeaseDecision d = n.at(deadline);
        // paused writes fail once Redis stops accepting writes: they never reach a master that is no longer one
        assertEquals(List.of(new DeleteLease(EPOCH), new Demote("deadline passed 8.0s after the last renewal without"
                + " ZooKeeper, and the peer is not heard as a lower-priority BACKUP")), d.actions());
        assertEquals(LeasePhase.IDLE, n.phase());
    }

    @Test
    void reconnectedAfterTheDeadline_beforeTheLoopWoke_staysDemoted_andReacquiresLikeAFreshStart() {
        n.advance(Duration.ofSeconds(1));
        n.feed(new Suspended());
        n.advance(Duration.ofSeconds(7).plusMillis(500)); // past the deadline; the timer has not fired yet
        LeaseDecision d = n.feed(new Reconnected(SESSION));
        assertEquals(List.of(new DeleteLease(EPOCH), new Demote("deadline passed 8.5s after the last renewal without"
                + " ZooKeeper, and the peer is not heard as a lower-priority BACKUP")), d.actions());
        assertFalse(d.actions().contains(new UnpauseWrites()));
        assertEquals(LeasePhase.IDLE, n.phase());

        assertEquals(List.of(new AcquireLease()), n.feed(new WantsMaster()).actions());
    }

    @Test
    void reconnectedAfterTheDemotion_changesNothing() {
        n.feed(new Suspended());
        n.at(deadline);
        n.after(Duration.ofSeconds(1));
        LeaseDecision d = n.feed(new Reconnected(SESSION));
        assertEquals(List.of(), d.actions());
        assertEquals(Optional.empty(), d.sentence());
        assertEquals(LeasePhase.IDLE, n.phase());
    }

    @Test
    void reconnectedWithANewSession_demotesAtOnce() {
        n.advance(Duration.ofSeconds(1));
        n.feed(new Suspended());
        n.advance(Duration.ofSeconds(1));
        LeaseDecision d = n.feed(new Reconnected(0x5678L));
        assertEquals(List.of(new DeleteLease(EPOCH), new Demote("RECONNECTED with a new session 0x5678: the lease's"
                + " session 0x1234 expired")), d.actions());
        assertEquals(LeasePhase.IDLE, n.phase());
    }

    @Test
    void lostBeforeAnySuspended_demotesAtOnce() {
        n.advance(Duration.ofSeconds(2));
        LeaseDecision d = n.feed(new Lost());
        assertEquals(List.of(new DeleteLease(EPOCH), new Demote("LOST: the lease's session 0x1234 expired")),
                d.actions());
        assertEquals(Optional.of("(redis-vip) lease: demoted because LOST: the lease's session 0x1234 expired"),
                d.sentence());
        assertEquals(LeasePhase.IDLE, n.phase());
    }

    @Test
    void lostWhileSuspended_demotesAtOnce_evenWithTimeLeft() {
        n.feed(new Suspended());
        n.advance(Duration.ofSeconds(3));
        LeaseDecision d = n.feed(new Lost());
        assertEquals(new Demote("LOST: the lease's session 0x1234 expired"), d.actions().getLast());
    }

    @Test
    void lostArrivingLate_afterTheDeadlineDemoted_changesNothing() {
        // Curator injects LOST a whole session timeout after SUSPENDED: well after our own deadline
        n.feed(new Suspended());
        n.at(deadline);
        n.advance(Duration.ofSeconds(2));
        LeaseDecision d = n.feed(new Lost());
        assertEquals(List.of(), d.actions());
        assertEquals(Optional.empty(), d.sentence());
    }

    @Test
    void leaseGone_demotesAtOnce() {
        LeaseDecision d = n.feed(new LeaseGone("the node is owned by session 0x9999"));
        assertEquals(new Demote("the lease is no longer ours (the node is owned by session 0x9999)"),
                d.actions().getLast());
        assertEquals(LeasePhase.IDLE, n.phase());
    }
}
