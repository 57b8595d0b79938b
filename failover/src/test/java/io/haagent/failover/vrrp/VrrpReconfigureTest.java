package io.haagent.failover.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.VrrpInstance.Track;
import io.haagent.failover.vrrp.Action.BecomeBackup;
import io.haagent.failover.vrrp.Action.EnterFault;
import io.haagent.failover.vrrp.Action.SendAdvert;
import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A reload that keeps an instance's identity: the election goes on from its state (keepalived does the same). */
class VrrpReconfigureTest {
    private static final String US = "10.0.1.10";
    private static final String PEER = "10.0.1.11";

    private final FakeTicker fake = new FakeTicker();

    private static VrrpParams params(int priority, int advertCentis, boolean preempt, List<Track> tracks) {
        return new VrrpParams("redis-vip", 3, priority, advertCentis, io.haagent.config.Ipv4.parse(US), preempt, 0, 0, tracks);
    }

    private Node master(VrrpParams p) {
        Node n = new Node(p, fake);
        n.feed(new Input.Started());
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        return n;
    }

    @Test
    void master_newPriorityAndInterval_staysMaster_noTransition_advertisesTheNewOnesAtOnce() {
        Node n = master(params(150, 100, true, List.of()));
        fake.advance(Duration.ofMillis(300));

        Decision d = n.reconfigure(params(160, 10, false, List.of()), Set.of(), "priority 150 -> 160", "notify");

        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertEquals(List.of(new SendAdvert(160, 10)), d.actions(), "no transition, the new priority sent now");
        assertEquals(fake.nanoTime() + 100_000_000L, d.nextWakeAtNanos(), "the next advert one new interval later");
        assertEquals(Optional.of("(redis-vip) reconfigured in place by a reload (priority 150 -> 160, notify); still MASTER"
                + " at priority 160, advertised at once"), d.sentence());
        assertEquals(List.of(new SendAdvert(160, 10)), n.fireTimer().actions());
    }

    @Test
    void master_priorityBelowThePeers_staysMasterUntilThePeerPreempts_thenOneTransition() {
        Node n = master(params(150, 100, true, List.of()));
        n.advert(PEER, 100); // the backup's priority, as the master hears it after a forced election
        assertEquals(VrrpState.MASTER, n.vrrpState());

        n.reconfigure(params(50, 100, true, List.of()), Set.of(), "priority 150 -> 50");
        assertEquals(VrrpState.MASTER, n.vrrpState());

        // the peer (100, preempting) hears 50 and takes MASTER; its advert makes us BACKUP: the ordinary rule
        Decision d = n.advert(PEER, 100);
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(1, d.actions().stream().filter(a -> a instanceof BecomeBackup).count());
        assertTrue(d.sentence().orElseThrow().contains("MASTER -> BACKUP: received advert from 10.0.1.11 with higher priority 100, ours 50"),
                d.sentence().orElseThrow());
    }

    @Test
    void master_newlyTrackedCheckThatIsDown_actsAsIfItHadJustGoneDown() {
        Node n = master(params(150, 100, true, List.of()));

        Decision d = n.reconfigure(params(150, 100, true, List.of(new Track("redis", 0))), Set.of("redis", "untracked"),
                "track");

        assertEquals(VrrpState.FAULT, n.vrrpState());
        assertEquals(new SendAdvert(0, 100), d.actions().get(0), "priority 0 so the peer takes over after skew time");
        assertInstanceOf(EnterFault.class, d.actions().get(1));
        assertEquals(Optional.of("(redis-vip) MASTER -> FAULT: reconfigured in place by a reload (track): tracked check redis"
                + " is down, sent priority 0"), d.sentence());
        assertEquals(Set.of("redis"), n.state.downChecks(), "only tracked checks count");
    }

    @Test
    void fault_whoseFaultingCheckIsNoLongerTracked_returnsToBackup() {
        Node n = master(params(150, 100, true, List.of(new Track("redis", 0))));
        n.feed(new Input.TrackedCheckWentDown("redis"));
        assertEquals(VrrpState.FAULT, n.vrrpState());

        Decision d = n.reconfigure(params(150, 100, true, List.of()), Set.of(), "track");

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertInstanceOf(BecomeBackup.class, d.actions().getFirst());
        assertEquals(Optional.of("(redis-vip) FAULT -> BACKUP: reconfigured in place by a reload (track): nothing holds it in"
                + " FAULT any more"), d.sentence());
    }

    @Test
    void backup_reconfigured_staysBackup_followingTheSameMaster_withTheSameTimer() {
        Node n = new Node(params(100, 100, true, List.of()), fake);
        n.feed(new Input.Started());
        n.advert(PEER, 150);
        long downAt = n.state.downAtNanos();

        Decision d = n.reconfigure(params(120, 100, false, List.of(new Track("app", -10))), Set.of("app"), "priority 100 -> 120",
                "preempt", "track");

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(List.of(), d.actions());
        assertEquals(downAt, d.nextWakeAtNanos());
        assertEquals(n.state.master().orElseThrow().toString(), PEER);
        assertEquals(Optional.of("(redis-vip) reconfigured in place by a reload (priority 100 -> 120, preempt, track); still"
                + " BACKUP at priority 110"), d.sentence());
    }

    @Test
    void backup_raisedAboveTheMaster_preemptsByTheOrdinaryRules() {
        Node n = new Node(params(100, 100, true, List.of()), fake);
        n.feed(new Input.Started());
        n.advert(PEER, 150);

        n.reconfigure(params(200, 100, true, List.of()), Set.of(), "priority 100 -> 200");
        assertEquals(VrrpState.BACKUP, n.vrrpState());
        n.advert(PEER, 150); // lower than ours now: discarded, Master_Down_Timer runs out (RFC 5798 §6.4.2)
        Decision d = n.fireTimer();

        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertTrue(d.sentence().orElseThrow().startsWith("(redis-vip) BACKUP -> MASTER: master 10.0.1.11 silent for"),
                d.sentence().orElseThrow());
    }
}
