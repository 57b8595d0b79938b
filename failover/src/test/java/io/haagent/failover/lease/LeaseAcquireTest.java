package io.haagent.failover.lease;

import static io.haagent.failover.lease.LeaseNode.EPOCH;
import static io.haagent.failover.lease.LeaseNode.RENEW_EVERY;
import static io.haagent.failover.lease.LeaseNode.SESSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.failover.lease.LeaseAction.AcquireLease;
import io.haagent.failover.lease.LeaseAction.DeleteLease;
import io.haagent.failover.lease.LeaseAction.StopAcquiring;
import io.haagent.failover.lease.LeaseAction.TakeMaster;
import io.haagent.failover.lease.LeaseInput.AcquireFailed;
import io.haagent.failover.lease.LeaseInput.Acquired;
import io.haagent.failover.lease.LeaseInput.HeldByOther;
import io.haagent.failover.lease.LeaseInput.LeftMaster;
import io.haagent.failover.lease.LeaseInput.WantsMaster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Wanting MASTER: acquire the lease first, wait in BACKUP for another holder, and let go at once on leaving. */
class LeaseAcquireTest {

    private final LeaseNode n = new LeaseNode();

    @Test
    void wantsMaster_asksForTheLease_andIsNotAllowedMasterYet() {
        LeaseDecision d = n.feed(new WantsMaster());
        assertEquals(List.of(new AcquireLease()), d.actions());
        assertEquals(LeasePhase.ACQUIRING, n.phase());
        assertEquals(Optional.empty(), d.sentence());
        assertEquals(Long.MAX_VALUE, d.nextWakeAtNanos()); // the edge reports back; no timer of ours
        assertEquals(new Fence.Refused("the lease is not ours yet"), n.fence());
    }

    @Test
    void acquired_allowsMasterWithTheEpoch_andSchedulesTheFirstRenewal() {
        n.feed(new WantsMaster());
        long sent = n.now();
        n.advance(Duration.ofMillis(30));
        LeaseDecision d = n.feed(new Acquired(EPOCH, SESSION, sent));
        assertEquals(List.of(new TakeMaster(EPOCH)), d.actions());
        assertEquals(Optional.of("(redis-vip) lease: acquired the lease (epoch 0x10000002a, session 0x1234); MASTER"
                + " allowed"), d.sentence());
        assertEquals(LeasePhase.HELD, n.phase());
        assertEquals(sent + RENEW_EVERY, d.nextWakeAtNanos()); // renewals count from the request, like the deadline
    }

    @Test
    void wantsMasterWhileAnotherHolds_waitsSayingForWhom_onceThenBecomesMasterTheMomentItAcquires() {
        n.feed(new WantsMaster());
        LeaseDecision waiting = n.feed(new HeldByOther("hostA", 0xabcL, Duration.ofMillis(8200).toNanos()));
        assertEquals(List.of(), waiting.actions());
        assertEquals(Optional.of("(redis-vip) lease: waiting for the lease held by hostA (session 0xabc), at most 8.2s"),
                waiting.sentence());
        assertEquals(LeasePhase.ACQUIRING, n.phase());

        n.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), n.feed(new HeldByOther("hostA", 0xabcL, 7_200_000_000L)).sentence());
        assertTrue(n.after(Duration.ofSeconds(5)).actions().isEmpty(), "no promotion without the lease");

        LeaseDecision acquired = n.feed(new Acquired(EPOCH, SESSION, n.now()));
        assertEquals(List.of(new TakeMaster(EPOCH)), acquired.actions());
    }

    @Test
    void aNewHolder_isSaidAgain() {
        n.feed(new WantsMaster());
        n.feed(new HeldByOther("hostA", 0xabcL, 8_000_000_000L));
        LeaseDecision d = n.feed(new HeldByOther("hostA", 0xabdL, 10_000_000_000L));
        assertEquals(Optional.of("(redis-vip) lease: waiting for the lease held by hostA (session 0xabd), at most"
                + " 10.0s"), d.sentence());
    }

    @Test
    void acquireFailed_triesAgainAfterARenewalInterval_sayingSoOnce() {
        n.feed(new WantsMaster());
        LeaseDecision failed = n.feed(new AcquireFailed("ConnectionLoss"));
        assertEquals(Optional.of("(redis-vip) lease: could not acquire the lease (ConnectionLoss); trying again every"
                + " 1.7s"), failed.sentence());
        assertEquals(n.now() + RENEW_EVERY, failed.nextWakeAtNanos());

        assertEquals(List.of(), n.at(failed.nextWakeAtNanos() - 1).actions());
        assertEquals(List.of(new AcquireLease()), n.at(failed.nextWakeAtNanos()).actions());
        assertEquals(Optional.empty(), n.feed(new AcquireFailed("ConnectionLoss")).sentence());
    }

    @Test
    void leftMasterWhileAcquiring_stopsAcquiring_andALateAcquisitionIsDeletedNotTaken() {
        n.feed(new WantsMaster());
        LeaseDecision left = n.feed(new LeftMaster("the peer's advert preempted us"));
        assertEquals(List.of(new StopAcquiring()), left.actions());
        assertEquals(LeasePhase.IDLE, n.phase());

        LeaseDecision late = n.feed(new Acquired(EPOCH, SESSION, n.now()));
        assertEquals(List.of(new DeleteLease(EPOCH)), late.actions());
        assertEquals(LeasePhase.IDLE, n.phase());
    }

    @Test
    void leftMaster_deletesTheLeaseAtOnce() {
        LeaseNode holder = LeaseNode.holder();
        holder.advance(Duration.ofSeconds(3));
        LeaseDecision d = holder.feed(new LeftMaster("redis crashed"));
        assertEquals(List.of(new DeleteLease(EPOCH)), d.actions());
        assertEquals(Optional.of("(redis-vip) lease: released the lease (epoch 0x10000002a) at once because redis"
                + " crashed"), d.sentence());
        assertEquals(LeasePhase.IDLE, holder.phase());
        assertEquals(Long.MAX_VALUE, d.nextWakeAtNanos());
        assertInstanceOf(Fence.Refused.class, holder.fence());
    }

    @Test
    void acquiredTooLateToCountOn_isDeletedAndAskedForAgain() {
        n.feed(new WantsMaster());
        long sent = n.now();
        n.advance(Duration.ofSeconds(8)); // the answer took the whole trusted span: the session may be gone
        LeaseDecision d = n.feed(new Acquired(EPOCH, SESSION, sent));
        assertEquals(List.of(new DeleteLease(EPOCH), new AcquireLease()), d.actions());
        assertEquals(LeasePhase.ACQUIRING, n.phase());
        assertEquals(Optional.of("(redis-vip) lease: acquired the lease (epoch 0x10000002a) too late to count on it,"
                + " 8.0s after asking; acquiring again"), d.sentence());
    }

    @Test
    void wantsMasterAgainWhileHolding_changesNothing() {
        LeaseNode holder = LeaseNode.holder();
        LeaseDecision d = holder.feed(new WantsMaster());
        assertEquals(List.of(), d.actions());
        assertEquals(LeasePhase.HELD, holder.phase());
    }
}
