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
import org.junit.jupiter.api.Disabled;
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
    void backupWhoseMasterIsSilent_asksForTheLease_andStaysBackup_advertisingMeanwhile() {
        Node n = backupWaiting(100, List.of());

        Decision d = n.last();
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(List.of(new AskLease("no master heard in 3.6s since start"), new SendAdvert(100, 100)),
                d.actions());
        assertEquals(Optional.of("(redis-vip) BACKUP would become MASTER (no master heard in 3.6s since start): asked"
                + " for the lease first, advertising priority 100 meanwhile"), d.sentence());

        // the claim goes on every advert interval, and asks only once
        Decision again = n.fireTimer();
        assertEquals(List.of(new SendAdvert(100, 100)), again.actions());
        assertEquals(Duration.ofSeconds(1).toNanos(), again.nextWakeAtNanos() - fake.nanoTime());
        assertEquals(VrrpState.BACKUP, n.vrrpState());
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
    void masterThatHearsAHigherMaster_yields_andReleasesTheLeaseAfterTheTransition() {
        Node n = master(100);

        Decision d = n.advert(PEER, 150);

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertInstanceOf(BecomeBackup.class, d.actions().get(1));
        ReleaseLease r = assertInstanceOf(ReleaseLease.class, d.actions().getLast());
        assertTrue(r.why().startsWith("received advert from 10.0.1.11 with higher priority 150"), r.why());
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

        // nobody took over within a master-down interval: it asks again, it does not just take MASTER
        Decision later = n.fireTimer();
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertInstanceOf(AskLease.class, later.actions().getFirst());
    }

    @Test
    void waitingBackupThatHearsAMaster_stopsWaiting_andReleasesTheLease() {
        Node n = backupWaiting(100, List.of());

        Decision d = n.advert(PEER, 100);

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(List.of(new ReleaseLease("master 10.0.1.11 advertises priority 100: no longer waiting for the lease")),
                d.actions());
        assertEquals(Optional.empty(), n.state.awaitingLease());
        // it follows that master again: its down timer runs
        assertTrue(d.nextWakeAtNanos() > fake.nanoTime() + Duration.ofSeconds(3).toNanos());
    }

    @Test
    void waitingBackupWithPreempt_keepsClaimingOverALowerMaster() {
        Node n = backupWaiting(150, List.of());

        Decision d = n.advert(PEER, 100);

        assertEquals(List.of(), d.actions());
        assertTrue(n.state.awaitingLease().isPresent());
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

    @Test
    void preemptionBehindALease_theLowerMasterHearsTheClaim_yieldsAndReleases() {
        Node low = master(100);
        Node high = new Node(leased(PEER, 150, US, List.of()), fake);
        high.feed(new Input.Started());
        high.advert(US, 100); // preempt: discarded, its down timer runs out
        Decision claim = high.fireTimer();
        assertInstanceOf(AskLease.class, claim.actions().getFirst());

        Decision d = low.advert(PEER, 150);

        assertEquals(VrrpState.BACKUP, low.vrrpState());
        assertInstanceOf(ReleaseLease.class, d.actions().getLast());
    }

    /**
     * Found by agent's LeasePartitionNetnsTest (real daemons, a real ZooKeeper): n0 (150), cut off for 20 s, lost its
     * lease and, hearing nobody, waits for the lease again as a BACKUP that claims MASTER; n1 (100) took the lease and
     * is MASTER. At the heal each hears the other at once: n1 yields to n0's claim (the preemption behind a lease) while
     * n0, with preempt: false, follows n1 and stops claiming. Nobody goes on: the next rounds race for the lease, and in
     * the lab both ended FAULT with their Redis replicas of each other (the promotion guard refused on both ends).
     */
    @Disabled("issue 14 product defect, left for the lead: both ends give way after a healed partition; see the zknetns report")
    @Test
    void healedPartition_preemptFalse_theClaimingBackupAndTheLeasedMasterHearEachOther_oneOfThemGoesOn() {
        Node low = new Node(leasedWithoutPreempt(US, 100, PEER), fake);
        low.feed(new Input.Started());
        low.fireTimer();
        low.feed(new Input.LeaseGranted(EPOCH));
        assertEquals(VrrpState.MASTER, low.vrrpState());
        Node high = new Node(leasedWithoutPreempt(PEER, 150, US), fake);
        high.feed(new Input.Started());
        high.fireTimer(); // cut off: nobody heard, it claims
        assertTrue(high.state.awaitingLease().isPresent());

        low.advert(PEER, 150); // the heal: the claim reaches the master ...
        high.advert(US, 100); // ... and the master's advert the claimant

        assertTrue(low.vrrpState() == VrrpState.MASTER || high.state.awaitingLease().isPresent(),
                "both gave way: the master is " + low.vrrpState() + ", the claimant waits for the lease: "
                        + high.state.awaitingLease().isPresent());
    }

    private static VrrpParams leasedWithoutPreempt(String source, int priority, String peer) {
        return new VrrpParams("redis-vip", 3, priority, 100, Ipv4.parse(source), false, 0, 0, List.of(), true,
                List.of(Ipv4.parse(peer)));
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
