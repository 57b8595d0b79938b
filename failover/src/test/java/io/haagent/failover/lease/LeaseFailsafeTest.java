package io.haagent.failover.lease;

import static io.haagent.failover.lease.LeaseNode.EPOCH;
import static io.haagent.failover.lease.LeaseNode.TRUSTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.haagent.failover.lease.LeaseAction.AcquireLease;
import io.haagent.failover.lease.LeaseAction.DeleteLease;
import io.haagent.failover.lease.LeaseAction.Demote;
import io.haagent.failover.lease.LeaseAction.StopAcquiring;
import io.haagent.failover.lease.LeaseAction.TakeMaster;
import io.haagent.failover.lease.LeaseAction.UnpauseWrites;
import io.haagent.failover.lease.LeaseInput.Acquired;
import io.haagent.failover.lease.LeaseInput.HeldByOther;
import io.haagent.failover.lease.LeaseInput.LeftMaster;
import io.haagent.failover.lease.LeaseInput.Lost;
import io.haagent.failover.lease.LeaseInput.PeerAdvertHeard;
import io.haagent.failover.lease.LeaseInput.Reconnected;
import io.haagent.failover.lease.LeaseInput.Suspended;
import io.haagent.failover.lease.LeaseInput.WantsMaster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * ZooKeeper itself down: the master keeps MASTER past its deadline only while the peer advertises as a lower-priority
 * BACKUP (Patroni's failsafe), and nobody is promoted without the lease.
 */
class LeaseFailsafeTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final LeaseNode n = LeaseNode.holder();
    private final long deadline = n.now() + TRUSTED;

    /** SUSPENDED a second after acquiring, the peer agreeing every second up to the deadline: FAILSAFE. */
    private LeaseDecision intoFailsafe() {
        n.advance(Duration.ofSeconds(1));
        n.feed(new Suspended());
        n.peerAgreesUntil(deadline - 1);
        return n.at(deadline);
    }

    @Test
    void zooKeeperDown_peerAgrees_keepsMasterPastTheDeadline_withWritesUnpaused() {
        LeaseDecision d = intoFailsafe();
        assertEquals(LeasePhase.FAILSAFE, n.phase());
        assertEquals(List.of(new UnpauseWrites()), d.actions());
        assertEquals(Optional.of("(redis-vip) lease: deadline passed 8.0s after the last renewal without ZooKeeper;"
                + " stays MASTER without the lease (failsafe) because the peer advertised as a lower-priority BACKUP"
                + " 1.0s ago"), d.sentence());
        assertEquals(new Fence.Refused("MASTER by failsafe, without the lease"), n.fence());
    }

    @Test
    void peerAdvertsGoOn_failsafeGoesOnQuietly() {
        intoFailsafe();
        int from = n.decisions.size();
        n.peerAgreesUntil(deadline + 30 * SECOND);
        assertEquals(LeasePhase.FAILSAFE, n.phase());
        assertEquals(List.of(), n.actionsSince(from));
    }

    @Test
    void peerAdvertsStopMidway_demotesAFailsafeWindowAfterTheLast() {
        intoFailsafe();
        n.peerAgreesUntil(deadline + 3 * SECOND);
        long lastHeard = n.now();
        assertEquals(lastHeard + 2 * SECOND, n.last().nextWakeAtNanos());
        assertEquals(LeasePhase.FAILSAFE, n.at(lastHeard + 2 * SECOND - 1).state().phase());

        LeaseDecision d = n.at(lastHeard + 2 * SECOND);
        assertEquals(List.of(new StopAcquiring(), new DeleteLease(EPOCH), new Demote("the failsafe ended: the peer was"
                + " last heard as a lower-priority BACKUP 2.0s ago")), d.actions());
        assertEquals(LeasePhase.IDLE, n.phase());
    }

    @Test
    void peerSilentAtTheDeadline_demotesThere() {
        n.advance(Duration.ofSeconds(1));
        n.feed(new Suspended());
        n.peerAgreesUntil(deadline - 2 * SECOND); // its last advert is 2 s old at the deadline: outside the window
        LeaseDecision d = n.at(deadline);
        assertEquals(new Demote("deadline passed 8.0s after the last renewal without ZooKeeper, and the peer is not"
                + " heard as a lower-priority BACKUP"), d.actions().getLast());
    }

    @Test
    void peerAdvertisingAnythingElse_endsTheFailsafeAtOnce() {
        intoFailsafe();
        n.advance(Duration.ofMillis(300));
        LeaseDecision d = n.feed(new PeerAdvertHeard(150, false));
        assertEquals(new Demote("the failsafe ended: the peer advertised priority 150, not as a lower-priority BACKUP"),
                d.actions().getLast());
        assertEquals(LeasePhase.IDLE, n.phase());
    }

    @Test
    void aPeerThatStoppedAgreeingBeforeTheDeadline_givesNoFailsafe() {
        n.advance(Duration.ofSeconds(1));
        n.feed(new Suspended());
        n.peerAgreesUntil(deadline - SECOND);
        n.feed(new PeerAdvertHeard(150, false));
        assertEquals(LeasePhase.IDLE, n.at(deadline).state().phase());
    }

    @Test
    void lostDuringTheFailsafe_keepsMasterWhileThePeerAgrees() {
        intoFailsafe();
        // Curator's LOST comes a session timeout after SUSPENDED; the lease was no longer counted on anyway
        LeaseDecision d = n.feed(new Lost());
        assertEquals(List.of(), d.actions());
        assertEquals(Optional.of("(redis-vip) lease: LOST during the failsafe: the lease's session 0x1234 expired;"
                + " MASTER while the peer agrees"), d.sentence());
        assertEquals(LeasePhase.FAILSAFE, n.phase());
    }

    @Test
    void zooKeeperBack_reacquires_andTheLeaseTakesOverFromTheFailsafe() {
        intoFailsafe();
        n.feed(new Lost());
        n.advance(Duration.ofMillis(500));
        LeaseDecision back = n.feed(new Reconnected(0x5678L));
        assertEquals(List.of(new AcquireLease()), back.actions());
        assertEquals(LeasePhase.FAILSAFE, n.phase());

        LeaseDecision acquired = n.feed(new Acquired(EPOCH + 7, 0x5678L, n.now()));
        assertFalse(acquired.actions().contains(new TakeMaster(EPOCH + 7)), "already MASTER");
        assertEquals(Optional.of("(redis-vip) lease: acquired the lease again (epoch 0x100000031, session 0x5678);"
                + " the failsafe ends"), acquired.sentence());
        assertEquals(LeasePhase.HELD, n.phase());
        assertEquals(new Fence.Granted(EPOCH + 7), n.fence());
    }

    @Test
    void zooKeeperBack_withTheLeaseHeldByThePeer_demotes() {
        intoFailsafe();
        n.feed(new Reconnected(0x5678L));
        LeaseDecision d = n.feed(new HeldByOther("hostB", 0x9999L, 10 * SECOND));
        assertEquals(List.of(new StopAcquiring(), new DeleteLease(EPOCH), new Demote("the lease is held by hostB"
                + " (session 0x9999)")), d.actions());
    }

    @Test
    void leftMasterDuringTheFailsafe_releasesAtOnce() {
        intoFailsafe();
        LeaseDecision d = n.feed(new LeftMaster("redis crashed"));
        assertEquals(List.of(new StopAcquiring(), new DeleteLease(EPOCH)), d.actions());
        assertEquals(LeasePhase.IDLE, n.phase());
    }

    @Test
    void noPromotionWithoutTheLease_everEvenWhileThePeerAgrees() {
        LeaseNode backup = new LeaseNode();
        backup.feed(new WantsMaster());
        backup.feed(new Suspended()); // ZooKeeper is down: the acquisition never answers
        backup.peerAgreesUntil(backup.now() + 60 * SECOND);
        assertFalse(backup.actionsSince(0).stream().anyMatch(a -> a instanceof TakeMaster));
        assertEquals(LeasePhase.ACQUIRING, backup.phase());
    }
}
