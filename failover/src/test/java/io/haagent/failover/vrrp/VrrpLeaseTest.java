package io.haagent.failover.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance.Track;
import io.haagent.failover.vrrp.Action.AskLease;
import io.haagent.failover.vrrp.Action.BecomeBackup;
import io.haagent.failover.vrrp.Action.BecomeMaster;
import io.haagent.failover.vrrp.Action.EnterFault;
import io.haagent.failover.vrrp.Action.ReleaseLease;
import io.haagent.failover.vrrp.Action.ReturnToInit;
import io.haagent.failover.vrrp.Action.SendAdvert;
import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: an instance behind a ZooKeeper lease ({@link VrrpParams#leased}) asks for the lease where it would become
 * MASTER, becomes MASTER only when {@link Input.LeaseGranted} comes, gives the lease up whenever it leaves MASTER or
 * stops wanting it, and leaves MASTER when {@link Input.LeaseLost} comes; decided on the fake clock.
 */
class VrrpLeaseTest {

    private static final String US = "10.0.1.10";
    private static final String PEER = "10.0.1.11";
    private static final long EPOCH = 0x1f;

    private final FakeTicker fake = new FakeTicker();

    private static VrrpParams leased(String source, int priority, String peer, List<Track> tracks) {
        return new VrrpParams("redis-vip", 3, priority, 100, Ipv4.parse(source), true, 0, 0, tracks, true,
                List.of(Ipv4.parse(peer)));
    }

    private Node backupWaiting(int priority, List<Track> tracks) {
        Node n = new Node(leased(US, priority, PEER, tracks), fake);
        n.feed(new Input.Started());
        n.fireTimer(); // no master heard: would be MASTER
        return n;
    }

    private Node master(int priority) {
        Node n = backupWaiting(priority, List.of());
        n.feed(new Input.LeaseGranted(EPOCH));
        assertEquals(VrrpState.MASTER, n.vrrpState());
        return n;
    }

    @Test
    void backupWhoseMasterIsSilent_asksForTheLease_andStaysBackup_silently() {
        Node n = backupWaiting(100, List.of());

        Decision d = n.last();
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(List.of(new AskLease("no master heard in 3.6s since start")), d.actions());
        assertEquals(Optional.of("(redis-vip) BACKUP would become MASTER (no master heard in 3.6s since start): asked"
                + " for the lease first"), d.sentence());
        assertEquals(Long.MAX_VALUE, d.nextWakeAtNanos(), "it waits for the lease or a master, nothing else");
    }

    @Test
    void leaseGranted_makesTheWaitingBackupMaster_withTheEpochInTheReason() {
        Node n = backupWaiting(100, List.of());

        Decision d = n.feed(new Input.LeaseGranted(EPOCH));

        assertEquals(VrrpState.MASTER, n.vrrpState());
        BecomeMaster m = assertInstanceOf(BecomeMaster.class, d.actions().get(1));
        assertEquals("no master heard in 3.6s since start; acquired the lease (epoch 0x1f)", m.reason());
        assertEquals(EPOCH, n.state.leaseEpoch());
        assertEquals(Optional.empty(), n.state.awaitingLease());
    }

    @Test
    void leaseGranted_whenNotAsked_changesNothing() {
        Node n = new Node(leased(US, 100, PEER, List.of()), fake);
        n.feed(new Input.Started());

        Decision d = n.feed(new Input.LeaseGranted(EPOCH));

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(List.of(), d.actions());
    }

    @Test
    void masterSteppingDownForASwitchover_releasesTheLeaseAfterTheTransition() {
        Node n = master(100);

        Decision d = n.feed(new Input.SwitchoverRequested("switchover requested by operator"));

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertInstanceOf(BecomeBackup.class, d.actions().get(1));
        ReleaseLease r = assertInstanceOf(ReleaseLease.class, d.actions().getLast());
        assertEquals("switchover requested by operator, sent priority 0", r.why());
        assertEquals(ElectionState.NO_LEASE, n.state.leaseEpoch());
    }

    @Test
    void leaseLost_masterSendsPriorityZero_andNamesThePairsPeerSoItsRedisStopsTakingWrites() {
        Node n = master(100);

        Decision d = n.feed(new Input.LeaseLost("deadline passed 8.0s after the last renewal"));

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(new SendAdvert(0, 100), d.actions().get(0));
        BecomeBackup b = assertInstanceOf(BecomeBackup.class, d.actions().get(1));
        assertEquals(Optional.of(Ipv4.parse(PEER)), b.master());
        assertEquals("lost the lease: deadline passed 8.0s after the last renewal, sent priority 0", b.reason());
        assertEquals(2, d.actions().size(), "the lease side demoted: nothing to release");
        assertEquals(ElectionState.NO_LEASE, n.state.leaseEpoch());

        // nobody took over within a master-down interval: it asks again, it does not just take MASTER; counted from
        // the demotion, not from the start (found by LeasePartitionNetnsTest: "no master heard in 7.5s since start")
        Decision later = n.fireTimer();
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(new AskLease("no master heard for 3.6s"), later.actions().getFirst());
    }

    @Test
    void waitingBackupThatHearsAMaster_stopsWaiting_andReleasesTheLease() {
        Node n = backupWaiting(100, List.of());

        Decision d = n.advert(PEER, 100);

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(List.of(new ReleaseLease("master 10.0.1.11 advertises priority 100: no longer waiting for the lease")),
                d.actions());
        assertEquals(Optional.empty(), n.state.awaitingLease());
        // it follows that master again: its down timer runs, and it tells the master so at once
        assertTrue(n.state.downAtNanos() > fake.nanoTime() + Duration.ofSeconds(3).toNanos());
        assertEquals(List.of(new Action.SendFollowerAdvert(100, 100)), n.fireTimer().actions());
    }

    /**
     * A leaving master's priority 0: a leased BACKUP asks for the lease at once instead of after its skew time; the
     * lease, not the skew, decides who follows it (one peer only), and a Redis crash's write gap lost its skew time.
     */
    @Test
    void leasedBackupHearingPriorityZero_asksForTheLeaseAtOnce_notAfterItsSkewTime() {
        Node n = new Node(leased(US, 100, PEER, List.of()), fake);
        n.feed(new Input.Started());
        n.advert(PEER, 150);
        fake.advance(Duration.ofMillis(400));

        Decision d = n.advert(PEER, 0);

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(List.of(new AskLease("master 10.0.1.11 left (sent priority 0)")), d.actions());
        assertEquals(Optional.of("(redis-vip) BACKUP would become MASTER (master 10.0.1.11 left (sent priority 0)): "
                + "asked for the lease first"), d.sentence());
        assertEquals(VrrpState.MASTER, n.feed(new Input.LeaseGranted(EPOCH)).state().state(), "MASTER once granted");
    }

    /** Behind a lease there is no preemption: a higher node with preempt on follows a living lower master. */
    @Test
    void leasedBackupWithPreempt_followsALowerMaster_noPreemptionBehindALease() {
        Node n = backupWaiting(150, List.of()); // preempt: true

        Decision d = n.advert(PEER, 100);

        assertInstanceOf(ReleaseLease.class, d.actions().getLast());
        assertEquals(Optional.empty(), n.state.awaitingLease());
        for (int i = 0; i < 30; i++) {
            n.advert(PEER, 100);
            fake.advance(Duration.ofMillis(500));
            n.feed(new Input.TimePassed());
        }
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertTrue(n.decisions.stream().flatMap(x -> x.actions().stream()).filter(a -> a instanceof AskLease).count() == 1,
                "asked only before it heard the master");
    }

    @Test
    void trackedCheckDownWhileWaiting_entersFault_andReleasesTheLease() {
        Node n = backupWaiting(100, List.of(new Track("redis", 0)));

        Decision d = n.feed(new Input.TrackedCheckWentDown("redis"));

        assertEquals(VrrpState.FAULT, n.vrrpState());
        assertInstanceOf(EnterFault.class, d.actions().getFirst());
        assertEquals(new ReleaseLease("tracked check redis went down (weight 0)"), d.actions().getLast());
    }

    @Test
    void stoppingAMaster_releasesTheLease() {
        Node n = master(100);

        Decision d = n.feed(new Input.StopRequested());

        assertInstanceOf(ReturnToInit.class, d.actions().get(1));
        assertInstanceOf(ReleaseLease.class, d.actions().getLast());
    }

    @Test
    void addressOwnerAtStart_staysInitUntilTheLeaseComes_thenInitToMaster() {
        Node n = new Node(leased(US, 255, PEER, List.of()), fake);

        Decision start = n.feed(new Input.Started());
        assertEquals(VrrpState.INIT, n.vrrpState());
        assertEquals(new AskLease("started as the address owner (priority 255)"), start.actions().getFirst());

        Decision d = n.feed(new Input.LeaseGranted(EPOCH));
        BecomeMaster m = assertInstanceOf(BecomeMaster.class, d.actions().get(1));
        assertEquals(VrrpState.INIT, m.from());
    }

    @Test
    void resumeAfterAPlannedRestart_waitsForTheLeaseInInit_soTheAddressIsNeverReleased() {
        Node n = new Node(leased(US, 150, PEER, List.of()), fake);

        Decision start = n.feed(new Input.StartedAfterHandOver(Duration.ofSeconds(3).toNanos(), 1000));
        assertEquals(VrrpState.INIT, n.vrrpState());
        assertInstanceOf(AskLease.class, start.actions().getFirst());
        assertTrue(start.actions().stream().noneMatch(a -> a instanceof Action.Transition));

        Decision d = n.feed(new Input.LeaseGranted(EPOCH));
        assertEquals(VrrpState.INIT, assertInstanceOf(BecomeMaster.class, d.actions().get(1)).from());
    }

    @Test
    void resumeWhoseLeaseNeverComes_startsAsBackupAtHalfTheHold_andReleasesTheAsk() {
        Node n = new Node(leased(US, 150, PEER, List.of()), fake);
        n.feed(new Input.StartedAfterHandOver(Duration.ofSeconds(3).toNanos(), 1000));

        Decision d;
        do {
            d = n.fireTimer(); // claim adverts, then the give-up at half the 30 s hold: 12 s from now
        } while (n.vrrpState() == VrrpState.INIT);

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertInstanceOf(BecomeBackup.class, d.actions().getFirst());
        assertInstanceOf(ReleaseLease.class, d.actions().getLast());
        assertTrue(d.sentence().orElseThrow().contains("the lease did not come within 12.0s"), d.sentence().orElseThrow());
    }

    /**
     * The lease decides who is master, not the priority: a holder that hears a higher advert (a master by the failsafe,
     * say) stays, answers at once, and the other side, which does not hold the lease, leaves.
     */
    @Test
    void leaseHolderHearingAHigherMaster_staysMaster_andAnswersAtOnce() {
        Node n = master(100);

        Decision d = n.advert(PEER, 150);

        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertEquals(List.of(new SendAdvert(100, 100)), d.actions());
        assertEquals(Optional.of("(redis-vip) received advert from 10.0.1.11 with higher priority 150, ours 100: stays"
                + " MASTER, as it holds the lease (epoch 0x1f); sent ours at once"), d.sentence());
    }

    /**
     * Found by LeasePartitionNetnsTest (real daemons, a real ZooKeeper): after a healed partition the cut-off node
     * (150, preempt false) waited for the lease while the new master (100) held it; each heard the other at once, the
     * master yielded to the higher advert while the waiting node followed the master, and nobody went on (both ended
     * FAULT in the lab). Now the holder stays, and the waiting node follows it.
     */
    @Test
    void healedPartition_theWaitingNodeAndTheLeaseHolderHearEachOther_theHolderStaysAndTheOtherFollows() {
        Node low = master(100);
        Node high = new Node(new VrrpParams("redis-vip", 3, 150, 100, Ipv4.parse(PEER), false, 0, 0, List.of(), true,
                List.of(Ipv4.parse(US))), fake);
        high.feed(new Input.Started());
        high.fireTimer(); // cut off: nobody heard, it asks for the lease
        assertTrue(high.state.awaitingLease().isPresent());

        low.advert(PEER, 150); // the heal: whatever the waiting node sends reaches the master ...
        high.advert(US, 100); // ... and the master's advert the waiting node

        assertEquals(VrrpState.MASTER, low.vrrpState());
        assertEquals(Optional.empty(), high.state.awaitingLease());
        assertEquals(VrrpState.BACKUP, high.vrrpState());
    }

    /** The failsafe's peer signal: a leased BACKUP tells the master it follows, the master's election ignores it. */
    @Test
    void leasedBackupFollowingAMaster_sendsFollowerAdvertsEveryInterval_untilItWantsMasterItself() {
        Node n = new Node(leased(US, 100, PEER, List.of()), fake);
        n.feed(new Input.Started());
        n.advert(PEER, 150);

        Decision first = n.fireTimer(); // at once
        assertEquals(List.of(new Action.SendFollowerAdvert(100, 100)), first.actions());
        n.advert(PEER, 150);
        fake.advance(Duration.ofMillis(999));
        assertEquals(List.of(), n.feed(new Input.TimePassed()).actions());
        fake.advance(Duration.ofMillis(1));
        assertEquals(List.of(new Action.SendFollowerAdvert(100, 100)), n.feed(new Input.TimePassed()).actions());

        // the master falls silent: the node wants MASTER, asks for the lease and stops following
        Decision d;
        do {
            d = n.fireTimer();
        } while (d.actions().stream().anyMatch(a -> a instanceof Action.SendFollowerAdvert));
        assertEquals(List.of(new AskLease("master 10.0.1.11 silent for 3.6s")), d.actions());
    }

    @Test
    void leasedMaster_hearingItsFollower_changesNothing_noForcedElection() {
        Node n = master(150);

        Decision d = n.feed(new Input.AdvertReceived(Ipv4.parse(PEER), 100, 100, true));

        assertEquals(List.of(), d.actions());
        assertEquals(Optional.empty(), d.sentence());
        assertEquals(VrrpState.MASTER, n.vrrpState());
    }

    @Test
    void withoutALease_aBackupSendsNoFollowerAdverts() {
        Node n = new Node(Node.params(US, 100), fake);
        n.feed(new Input.Started());
        Decision d = n.advert(PEER, 150);

        assertEquals(d.nextWakeAtNanos(), n.state.downAtNanos(), "only the master-down timer runs");
    }


    @Test
    void withoutALease_nothingChanges_theBackupBecomesMasterAtOnce() {
        Node n = new Node(Node.params(US, 100), fake);
        n.feed(new Input.Started());

        Decision d = n.fireTimer();

        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertTrue(d.actions().stream().noneMatch(a -> a instanceof AskLease || a instanceof ReleaseLease));
    }
}
