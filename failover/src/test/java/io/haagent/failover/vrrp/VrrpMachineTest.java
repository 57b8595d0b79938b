package io.haagent.failover.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance.Track;
import io.haagent.failover.vrrp.Action.BecomeBackup;
import io.haagent.failover.vrrp.Action.BecomeMaster;
import io.haagent.failover.vrrp.Action.EnterFault;
import io.haagent.failover.vrrp.Action.ReassertMaster;
import io.haagent.failover.vrrp.Action.ReturnToInit;
import io.haagent.failover.vrrp.Action.SendAdvert;
import io.haagent.failover.vrrp.Action.SendAdvertTo;
import io.haagent.testkit.FakeTicker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VrrpMachineTest {

    private static final String US = "10.0.1.10";
    private static final String PEER = "10.0.1.11";

    private final FakeTicker fake = new FakeTicker();

    private Node node(VrrpParams params) {
        Node n = new Node(params, fake);
        n.feed(new Input.Started());
        return n;
    }

    /** Started, heard PEER as master at {@code peerPriority}: a BACKUP following it. */
    private Node backupFollowing(VrrpParams params, int peerPriority) {
        Node n = node(params);
        n.advert(PEER, peerPriority);
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        return n;
    }

    private Node master(VrrpParams params) {
        Node n = node(params);
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        return n;
    }

    @Test
    void stateCodes_neverChange() {
        assertEquals(List.of(0, 1, 2, 3), List.of(VrrpState.INIT.code(), VrrpState.BACKUP.code(),
                VrrpState.MASTER.code(), VrrpState.FAULT.code()));
        assertEquals("0=INIT, 1=BACKUP, 2=MASTER, 3=FAULT", VrrpState.LEGEND);
    }

    @Test
    void masterDownInterval_followsEachRfc() {
        // RFC 3768 §6.1: skew (256 - 100) / 256 s = 0.609375 s
        VrrpMachine v2 = new VrrpMachine(Node.params(US, 100, 2, true, Duration.ZERO, Duration.ZERO, List.of()));
        assertEquals(3_609_375_000L, v2.masterDownIntervalNanos(100, 100));
        // RFC 5798 §6.1: skew scales with the master's interval: (256 - 100) * 0.5 s / 256
        VrrpMachine v3 = new VrrpMachine(Node.params(US, 100));
        assertEquals(1_500_000_000L + 304_687_500L, v3.masterDownIntervalNanos(100, 50));
    }

    @Test
    void start_entersBackupAndWaitsMasterDownInterval() {
        Node n = node(Node.params(US, 100));
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(fake.nanoTime() + 3_609_375_000L, n.last().nextWakeAtNanos());
        assertEquals(Optional.of("(redis-vip) INIT -> BACKUP: started, waiting 3.6s to hear a master"),
                n.last().sentence());
    }

    @Test
    void backup_masterSilentForDownInterval_becomesMaster() {
        Node n = backupFollowing(Node.params(US, 100), 150);
        fake.advance(Duration.ofMillis(3000));
        assertEquals(VrrpState.BACKUP, n.feed(new Input.TimePassed()).state().state(), "early wake-up is harmless");
        Decision d = n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertEquals(List.of(new SendAdvert(100, 100), new BecomeMaster(VrrpState.BACKUP,
                "master 10.0.1.11 silent for 3.6s", Optional.of(Ipv4.parse(US)), 100)), d.actions());
        assertEquals(Optional.of("(redis-vip) BACKUP -> MASTER: master 10.0.1.11 silent for 3.6s"), d.sentence());
        assertEquals(fake.nanoTime() + 1_000_000_000L, d.nextWakeAtNanos());
    }

    @Test
    void backup_advertsKeepArriving_staysBackupQuietly() {
        Node n = backupFollowing(Node.params(US, 100), 150);
        for (int i = 0; i < 10; i++) {
            fake.advance(Duration.ofSeconds(1));
            Decision d = n.advert(PEER, 150);
            assertEquals(VrrpState.BACKUP, n.vrrpState());
            assertTrue(d.actions().isEmpty());
            assertEquals(Optional.empty(), d.sentence(), "steady state logs nothing");
        }
    }

    @Test
    void master_sendsAdvertEveryInterval_quietly() {
        Node n = master(Node.params(US, 100));
        for (int i = 0; i < 3; i++) {
            Decision d = n.fireTimer();
            assertEquals(List.of(new SendAdvert(100, 100)), d.actions());
            assertEquals(Optional.empty(), d.sentence());
        }
    }

    @Test
    void master_hearsHigherPriority_becomesBackup() {
        Node n = master(Node.params(US, 100));
        Decision d = n.advert(PEER, 150);
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        // a last advert to the winner only, so it learns there were two masters and re-asserts; then yield
        assertEquals(List.of(new SendAdvertTo(Ipv4.parse(PEER), 100, 100), new BecomeBackup(VrrpState.MASTER,
                "received advert from 10.0.1.11 with higher priority 150, ours 100", Optional.of(Ipv4.parse(PEER)),
                100)), d.actions());
        assertEquals(Optional.of("(redis-vip) MASTER -> BACKUP: received advert from 10.0.1.11 with higher "
                + "priority 150, ours 100"), d.sentence());
    }

    @Test
    void master_hearsEqualPriorityFromHigherAddress_becomesBackup() {
        Node n = master(Node.params(US, 100));
        n.advert(PEER, 100);
        assertEquals(VrrpState.BACKUP, n.vrrpState());
    }

    @Test
    void master_hearsEqualPriorityFromLowerAddress_staysMasterAndForcesElection() {
        Node n = master(Node.params(PEER, 100));
        Decision d = n.advert(US, 100);
        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertInstanceOf(SendAdvert.class, d.actions().getFirst());
    }

    @Test
    void master_hearsLowerPriority_answersAtOnceAndReasserts() {
        Node n = master(Node.params(US, 150));
        fake.advance(Duration.ofMillis(300));
        Decision d = n.advert(PEER, 100);
        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertEquals(List.of(new SendAdvert(150, 100), new ReassertMaster(Ipv4.parse(PEER), 100, 150)), d.actions());
        assertEquals(fake.nanoTime() + 1_000_000_000L, d.nextWakeAtNanos(), "advert timer restarts");
        assertEquals(Optional.of("(redis-vip) received advert from 10.0.1.11 with lower priority 100, ours 150: "
                + "sent ours at once (forcing new election) and re-asserted the address"), d.sentence());
    }

    @Test
    void master_stop_sendsPriorityZero() {
        Node n = master(Node.params(US, 100));
        Decision d = n.feed(new Input.StopRequested());
        assertEquals(VrrpState.INIT, n.vrrpState());
        assertEquals(new SendAdvert(0, 100), d.actions().getFirst());
        assertInstanceOf(ReturnToInit.class, d.actions().get(1));
        assertEquals(Long.MAX_VALUE, d.nextWakeAtNanos());
    }

    @Test
    void backup_stop_sendsNothing() {
        Node n = backupFollowing(Node.params(US, 100), 150);
        Decision d = n.feed(new Input.StopRequested());
        assertEquals(1, d.actions().size());
        assertInstanceOf(ReturnToInit.class, d.actions().getFirst());
    }

    @Test
    void backup_priorityZeroAdvert_takesOverAfterSkew() {
        Node n = backupFollowing(Node.params(US, 100), 150);
        fake.advance(Duration.ofMillis(500));
        Decision d = n.advert(PEER, 0);
        assertEquals(fake.nanoTime() + 609_375_000L, d.nextWakeAtNanos(), "skew (256-100)/256 s, not 3.6 s");
        Decision m = n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertEquals(Optional.of("(redis-vip) BACKUP -> MASTER: master 10.0.1.11 left (sent priority 0) 0.6s ago"),
                m.sentence());
    }

    @Test
    void backup_preempt_lowerPriorityMaster_isPreemptedAfterDownInterval() {
        Node n = backupFollowing(Node.params(US, 150), 100);
        fake.advance(Duration.ofSeconds(1));
        n.advert(PEER, 100);
        fake.advance(Duration.ofSeconds(1));
        n.advert(PEER, 100);
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
    }

    @Test
    void backup_nopreempt_higherPriorityStaysBackupWhileMasterAlive() {
        Node n = backupFollowing(Node.params(US, 150, 3, false, Duration.ZERO, Duration.ZERO, List.of()), 100);
        for (int i = 0; i < 20; i++) {
            fake.advance(Duration.ofSeconds(1));
            n.advert(PEER, 100);
            n.feed(new Input.TimePassed());
            assertEquals(VrrpState.BACKUP, n.vrrpState());
        }
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState(), "takes over once the master dies");
    }

    @Test
    void backup_preemptDelay_followsLowerMasterUntilDelayPassed() {
        Node n = backupFollowing(Node.params(US, 150, 3, true, Duration.ofSeconds(10), Duration.ZERO, List.of()),
                100);
        long firstLower = fake.nanoTime();
        while (fake.nanoTime() < firstLower + Duration.ofSeconds(10).toNanos()) {
            fake.advance(Duration.ofSeconds(1));
            n.feed(new Input.TimePassed());
            assertEquals(VrrpState.BACKUP, n.vrrpState(), "within preempt_delay");
            n.advert(PEER, 100);
        }
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertTrue(fake.nanoTime() - firstLower < Duration.ofSeconds(15).toNanos());
    }

    @Test
    void backup_startupDelay_doesNotBecomeMasterBeforeItEnds() {
        Node n = node(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ofSeconds(10), List.of()));
        assertEquals(fake.nanoTime() + 10_000_000_000L, n.last().nextWakeAtNanos());
        fake.advance(Duration.ofSeconds(5));
        assertEquals(VrrpState.BACKUP, n.feed(new Input.TimePassed()).state().state());
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertEquals(Optional.of("(redis-vip) BACKUP -> MASTER: no master heard in 10.0s since start"),
                n.last().sentence());
    }

    @Test
    void backup_defaultStartupDelay_firstMasterAfterMasterDownInterval_skewIncluded() throws Exception {
        // Issue 12: the docs said the default startup_delay (3 x advert) is the wait; the wait is the longer of it and
        // Master_Down_Interval, 3 x advert + skew (RFC 5798 §6.1: (256 - 100) / 256 x 1s = 609.375ms at priority 100).
        Duration advert = Duration.ofSeconds(1);
        Node n = node(Node.params(US, 100, 3, true, Duration.ZERO, io.haagent.config.Defaults.startupDelay(advert), List.of()));
        assertEquals(fake.nanoTime() + 3_609_375_000L, n.last().nextWakeAtNanos());
        assertTrue(Files.readString(Path.of("../docs/config-reference.md")).contains(
                "A fresh node waits the longer of this and Master_Down_Interval (3 × `advert_interval` + skew)"));
    }

    @Test
    void backup_startupDelay_holdsEvenAfterPriorityZero() {
        Node n = node(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ofSeconds(10), List.of()));
        n.advert(PEER, 0);
        fake.advance(Duration.ofSeconds(1));
        n.feed(new Input.TimePassed());
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
    }

    @Test
    void trackWeightZero_checkDown_entersFault() {
        Node n = master(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ZERO, List.of(new Track("redis", 0))));
        Decision d = n.feed(new Input.TrackedCheckWentDown("redis"));
        assertEquals(VrrpState.FAULT, n.vrrpState());
        assertEquals(new SendAdvert(0, 100), d.actions().getFirst(), "leaving MASTER for FAULT sends priority 0");
        assertInstanceOf(EnterFault.class, d.actions().get(1));
        assertEquals(Optional.of("(redis-vip) MASTER -> FAULT: tracked check redis went down (weight 0), "
                + "sent priority 0"), d.sentence());
        assertEquals(Long.MAX_VALUE, d.nextWakeAtNanos());
        assertTrue(n.advert(PEER, 50).actions().isEmpty(), "FAULT ignores adverts");

        Decision up = n.feed(new Input.TrackedCheckWentUp("redis"));
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(Optional.of("(redis-vip) FAULT -> BACKUP: tracked check redis came back up (weight 0)"),
                up.sentence());
    }

    @Test
    void trackWeightZero_downDuringTheStartupDelay_backInTime_noFault() {
        Node n = node(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ofSeconds(3), List.of(new Track("redis", 0))));
        fake.advance(Duration.ofMillis(100));
        Decision d = n.feed(new Input.TrackedCheckWentDown("redis")); // the supervised Redis is not listening yet
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertTrue(d.actions().isEmpty());
        assertEquals(Optional.of("(redis-vip) tracked check redis went down (weight 0) during the startup delay: FAULT if "
                + "it is still down in 2.9s"), d.sentence());
        fake.advance(Duration.ofMillis(400));
        Decision up = n.feed(new Input.TrackedCheckWentUp("redis"));
        assertTrue(up.actions().isEmpty(), "no transition at all: the boot does not flash FAULT");
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState(), "no master heard: MASTER at the end of the startup delay as usual");
    }

    @Test
    void trackWeightZero_downDuringTheStartupDelay_stillDownAtItsEnd_fault() {
        Node n = node(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ofSeconds(3), List.of(new Track("redis", 0))));
        long started = fake.nanoTime();
        n.advert(PEER, 150); // a live master keeps pushing the master-down timer out
        fake.advance(Duration.ofMillis(100));
        Decision d = n.feed(new Input.TrackedCheckWentDown("redis"));
        assertEquals(started + 3_000_000_000L, d.nextWakeAtNanos(), "woken when the startup delay ends");
        n.fireTimer();
        assertEquals(VrrpState.FAULT, n.vrrpState());
        assertEquals(Optional.of("(redis-vip) BACKUP -> FAULT: tracked check redis is down at the end of the startup "
                + "delay"), n.last().sentence());
        assertInstanceOf(EnterFault.class, n.last().actions().getFirst());
    }

    @Test
    void trackWeightZero_downBeforeStart_startsInFault() {
        Node n = new Node(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ZERO, List.of(new Track("redis", 0))),
                fake);
        n.feed(new Input.TrackedCheckWentDown("redis"));
        n.feed(new Input.Started());
        assertEquals(VrrpState.FAULT, n.vrrpState());
    }

    @Test
    void trackNegativeWeight_checkDown_lowersAdvertisedPriorityAtOnce() {
        Node n = master(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ZERO, List.of(new Track("redis", -60))));
        Decision d = n.feed(new Input.TrackedCheckWentDown("redis"));
        assertEquals(List.of(new SendAdvert(40, 100)), d.actions());
        assertEquals(Optional.of("(redis-vip) priority 100 -> 40: tracked check redis went down (weight -60)"),
                d.sentence());
        n.advert(PEER, 90);
        assertEquals(VrrpState.BACKUP, n.vrrpState(), "a peer at 90 now outranks us");
    }

    @Test
    void trackWeights_clampPriorityTo1Through254() {
        Node hi = node(Node.params(US, 250, 3, true, Duration.ZERO, Duration.ZERO, List.of(new Track("a", 50))));
        assertEquals(254, hi.machine.effectivePriority(hi.state), "positive weight applies while up");
        Node lo = node(Node.params(US, 10, 3, true, Duration.ZERO, Duration.ZERO, List.of(new Track("a", -50))));
        lo.feed(new Input.TrackedCheckWentDown("a"));
        assertEquals(1, lo.machine.effectivePriority(lo.state));
    }

    @Test
    void untrackedCheck_isIgnored() {
        Node n = master(Node.params(US, 100));
        Decision d = n.feed(new Input.TrackedCheckWentDown("other"));
        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertTrue(d.actions().isEmpty());
    }

    @Test
    void v2_intervalMismatch_dropsAdvertAndLogsOnce() {
        Node n = node(Node.params(US, 100, 2, true, Duration.ZERO, Duration.ZERO, List.of()));
        long downAt = n.last().nextWakeAtNanos();
        Decision first = n.feed(new Input.AdvertReceived(Ipv4.parse(PEER), 150, 200));
        assertEquals(downAt, first.nextWakeAtNanos(), "dropped: the down timer does not move");
        assertEquals(Optional.of("(redis-vip) dropped advert from 10.0.1.11 with interval 2.00s, ours 1.00s "
                + "(VRRP v2 cannot adopt it; set the same advert_int on every node); logged once"), first.sentence());
        Decision second = n.feed(new Input.AdvertReceived(Ipv4.parse(PEER), 150, 200));
        assertEquals(Optional.empty(), second.sentence());
    }

    @Test
    void v3_intervalMismatch_adoptsMastersIntervalAndLogsOnce() {
        Node n = node(Node.params(US, 100));
        Decision first = n.feed(new Input.AdvertReceived(Ipv4.parse(PEER), 150, 200));
        // RFC 5798: 3 × 2 s + (256 - 100) × 2 s / 256
        assertEquals(fake.nanoTime() + 6_000_000_000L + 1_218_750_000L, first.nextWakeAtNanos());
        assertEquals(Optional.of("(redis-vip) adopted advert interval 2.00s from master 10.0.1.11, ours 1.00s "
                + "(RFC 5798 §6.4.2; logged once)"), first.sentence());
        assertEquals(Optional.empty(), n.feed(new Input.AdvertReceived(Ipv4.parse(PEER), 150, 200)).sentence());
    }

    @Test
    void master_hearsPriorityZero_answersAtOnce() {
        Node n = master(Node.params(US, 100));
        Decision d = n.advert(PEER, 0);
        assertEquals(List.of(new SendAdvert(100, 100)), d.actions());
        assertEquals(VrrpState.MASTER, n.vrrpState());
    }

    @Test
    void owner_priority255_becomesMasterAtStart() {
        Node n = node(Node.params(US, 255));
        assertEquals(VrrpState.MASTER, n.vrrpState());
    }

    @Test
    void ownAdvertEchoed_isIgnored() {
        Node n = master(Node.params(US, 100));
        assertTrue(n.advert(US, 200).actions().isEmpty());
        assertEquals(VrrpState.MASTER, n.vrrpState());
    }

    @Test
    void inputsBeforeStart_doNothing() {
        Node n = new Node(Node.params(US, 100), fake);
        assertFalse(n.advert(PEER, 150).sentence().isPresent());
        assertEquals(VrrpState.INIT, n.vrrpState());
        assertEquals(Long.MAX_VALUE, n.feed(new Input.TimePassed()).nextWakeAtNanos());
    }

    @Test
    void backup_equalPriorityFromLowerAddress_doesNotPreemptLiveMaster() {
        // RFC 5798 §6.4.2: a backup resets its timer on priority >= its own; the address only breaks ties between masters
        Node n = node(Node.params(PEER, 100));
        for (int i = 0; i < 10; i++) {
            n.advert(US, 100);
            fake.advance(Duration.ofSeconds(1));
            n.feed(new Input.TimePassed());
        }
        assertEquals(VrrpState.BACKUP, n.vrrpState());
    }

    @Test
    void master_equalPriorityFromLowerAddress_saysSoInItsSentence() {
        Node n = master(Node.params(PEER, 100));
        assertEquals(Optional.of("(redis-vip) received advert from 10.0.1.10 with equal priority 100 and a lower "
                + "address than ours 10.0.1.11: sent ours at once (forcing new election) and re-asserted the address"),
                n.advert(US, 100).sentence());
    }

    @Test
    void backup_v3PriorityZero_skewUsesMastersInterval() {
        Node n = node(Node.params(US, 100));
        n.feed(new Input.AdvertReceived(Ipv4.parse(PEER), 150, 200));
        Decision d = n.feed(new Input.AdvertReceived(Ipv4.parse(PEER), 0, 200));
        // RFC 5798 §6.1: (256 - 100) × 2 s / 256
        assertEquals(fake.nanoTime() + 1_218_750_000L, d.nextWakeAtNanos());
    }

    @Test
    void backup_startupDelay_hearingMasterEarly_neverFlashesMaster() {
        Node n = node(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ofSeconds(5), List.of()));
        for (int i = 0; i < 30; i++) {
            fake.advance(Duration.ofMillis(900));
            n.advert(PEER, 150);
            n.feed(new Input.TimePassed());
            assertEquals(VrrpState.BACKUP, n.vrrpState());
        }
    }

    @Test
    void trackPositiveWeight_checkDown_dropsBonus_backupStaysQuietAboutActions() {
        Node n = backupFollowing(Node.params(US, 100, 3, true, Duration.ZERO, Duration.ZERO,
                List.of(new Track("redis", 30))), 120);
        assertEquals(130, n.machine.effectivePriority(n.state));
        Decision d = n.feed(new Input.TrackedCheckWentDown("redis"));
        assertEquals(100, n.machine.effectivePriority(n.state));
        assertTrue(d.actions().isEmpty(), "a backup advertises nothing");
        assertEquals(Optional.of("(redis-vip) priority 130 -> 100: tracked check redis went down (weight 30)"),
                d.sentence());
    }

    @Test
    void start_twice_isIdempotent() {
        Node n = master(Node.params(US, 100));
        Decision d = n.feed(new Input.Started());
        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertTrue(d.actions().isEmpty());
    }

    @Test
    void master_v3IntervalMismatchFromHigherPriority_logsTransitionThenAdoption() {
        Node n = master(Node.params(US, 100));
        Decision d = n.feed(new Input.AdvertReceived(Ipv4.parse(PEER), 150, 50));
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(Optional.of("(redis-vip) MASTER -> BACKUP: received advert from 10.0.1.11 with higher priority "
                + "150, ours 100; adopted advert interval 0.50s from master 10.0.1.11, ours 1.00s "
                + "(RFC 5798 §6.4.2; logged once)"), d.sentence());
    }

    @Test
    void params_rejectInvalidValues() {
        assertThrows(IllegalArgumentException.class,
                () -> Node.params(US, 100, 4, true, Duration.ZERO, Duration.ZERO, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Node.params(US, 0));
    }
}
