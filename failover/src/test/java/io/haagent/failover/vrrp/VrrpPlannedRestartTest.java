package io.haagent.failover.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance.Track;
import io.haagent.failover.vrrp.Action.BecomeBackup;
import io.haagent.failover.vrrp.Action.BecomeMaster;
import io.haagent.failover.vrrp.Action.EnterFault;
import io.haagent.failover.vrrp.Action.HandOver;
import io.haagent.failover.vrrp.Action.ReturnToInit;
import io.haagent.failover.vrrp.Action.SendAdvert;
import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a planned agent restart ({@link Input.PlannedRestart}) of a MASTER hands over instead of sending priority
 * 0, and the next agent resumes MASTER ({@link Input.StartedAfterHandOver}) while the peer still holds; decided on the
 * fake clock, the peer's side too.
 */
class VrrpPlannedRestartTest {

    private static final String US = "10.0.1.10";
    private static final String PEER = "10.0.1.11";
    private static final long HOLD_V3 = Duration.ofSeconds(30).toNanos(); // 3 × the 10 s hand-over interval

    private final FakeTicker fake = new FakeTicker();

    private Node node(int version, List<Track> tracks) {
        return new Node(Node.params(US, 150, version, true, Duration.ZERO, Duration.ZERO, tracks), fake);
    }

    private Node master(int version) {
        Node n = node(version, List.of());
        n.feed(new Input.Started());
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        return n;
    }

    private static long secs(double s) {
        return (long) (s * 1e9);
    }

    @Test
    void v3Master_plannedRestart_handsOverWithATenSecondInterval_noPriorityZero_noTransition() {
        Node n = master(3);

        Decision d = n.feed(new Input.PlannedRestart());

        assertEquals(List.of(new HandOver(150, 1000, HOLD_V3)), d.actions(), "no priority 0, no transition");
        assertEquals(VrrpState.INIT, n.vrrpState());
        assertEquals(Long.MAX_VALUE, d.nextWakeAtNanos());
        assertEquals(Optional.of("(redis-vip) MASTER handed over for a planned agent restart: advertised priority 150"
                + " with a 10.00s interval, so the peer waits 30.0s and more before it takes over unless the next agent"
                + " resumes first; the Redis and the address stay as they are"), d.sentence());
        assertEquals(List.of(), n.feed(new Input.StopRequested()).actions(), "the close that follows says nothing");
    }

    @Test
    void v2Master_plannedRestart_sendsALastOrdinaryAdvert_heldForThreeIntervals() {
        Node n = master(2);

        Decision d = n.feed(new Input.PlannedRestart());

        // keepalived drops v2 adverts with another interval: v2 cannot ask the peer to wait longer
        assertEquals(List.of(new HandOver(150, 100, secs(3))), d.actions());
        assertTrue(d.sentence().orElseThrow().contains("sent a last advert and fell silent (VRRP v2 cannot advertise a"
                + " longer interval), so the peer takes over after 3.0s and its skew time"), d.sentence().orElseThrow());
    }

    @Test
    void backup_plannedRestart_stopsAsEver() {
        Node n = node(3, List.of());
        n.feed(new Input.Started());

        Decision d = n.feed(new Input.PlannedRestart());

        assertEquals(VrrpState.INIT, n.vrrpState());
        ReturnToInit t = assertInstanceOf(ReturnToInit.class, d.actions().getFirst());
        assertEquals(VrrpState.BACKUP, t.from());
        assertEquals(1, d.actions().size(), "a backup has nothing to hand over");
    }

    @Test
    void plainStop_ofAMaster_stillSendsPriorityZero() {
        Node n = master(3);

        Decision d = n.feed(new Input.StopRequested());

        assertEquals(new SendAdvert(0, 100), d.actions().getFirst());
    }

    @Test
    void peer_heldByTheHandOverAdvert_waitsOutTheRestart_thenReadoptsTheNormalInterval() {
        Node peer = heldPeer();
        fake.advance(Duration.ofSeconds(20)); // an agent restart (about 3-4 s), five times as slow
        peer.feed(new Input.TimePassed());
        assertEquals(VrrpState.BACKUP, peer.vrrpState(), "no takeover while the next agent starts");

        // the resumed master advertises its own 1 s again: the backup adopts it, and a master that then dies is
        // taken over after 3 × 1 s + skew, not 30 s
        peer.advert(US, 150);
        fake.advance(Duration.ofMillis(3_700));
        Decision d = peer.feed(new Input.TimePassed());
        assertEquals(VrrpState.MASTER, peer.vrrpState());
        assertInstanceOf(BecomeMaster.class, d.actions().get(1));
    }

    /** Issue 13: a host that dies during the upgrade, or an agent that never comes back, costs 30 s + skew, not 2 min. */
    @Test
    void peer_heldByTheHandOverAdvert_takesOverAfterThreeHandOverIntervals_whenNoAgentComesBack() {
        Node peer = heldPeer();
        fake.advance(Duration.ofSeconds(30));
        peer.feed(new Input.TimePassed());
        assertEquals(VrrpState.BACKUP, peer.vrrpState(), "its skew time comes on top");

        fake.advance(Duration.ofMillis(6_200)); // RFC 5798 §6.1: Skew_Time = (256 - 100) × 10 s / 256 = 6.1 s
        Decision d = peer.feed(new Input.TimePassed());

        assertEquals(VrrpState.MASTER, peer.vrrpState());
        assertInstanceOf(BecomeMaster.class, d.actions().get(1));
    }

    /** RFC 5798 §6.4.2: the backup adopts the master's 10 s, Master_Down_Interval = 3 × that + skew. */
    private Node heldPeer() {
        Node peer = new Node(Node.params(PEER, 100), fake);
        peer.feed(new Input.Started());
        peer.advert(US, 150);
        assertEquals(VrrpState.BACKUP, peer.vrrpState());
        peer.feed(new Input.AdvertReceived(Ipv4.parse(US), 150, 1000));
        return peer;
    }

    @Test
    void startedAfterAHandOver_withinHalfTheHold_resumesMasterAtOnce_advertisingItsOwnInterval() {
        Node n = node(3, List.of());

        Decision d = n.feed(new Input.StartedAfterHandOver(secs(1.4), 1000));

        assertEquals(VrrpState.MASTER, n.vrrpState());
        // its own interval at once: the peer re-adopts it (RFC 5798 §6.4.2)
        assertEquals(new SendAdvert(150, 100), d.actions().get(0));
        BecomeMaster r = assertInstanceOf(BecomeMaster.class, d.actions().get(1));
        assertEquals(VrrpState.INIT, r.from());
        assertEquals(Optional.of(Ipv4.parse(US)), r.master());
        assertEquals(Optional.of("(redis-vip) INIT -> MASTER: resumed after a planned agent restart 1.4s ago (peer held"
                + " by a 10.00s hand-over advert)"), d.sentence());
        assertEquals(fake.nanoTime() + secs(1), d.nextWakeAtNanos(), "advertises on as a master does");
    }

    @Test
    void startedAfterAHandOver_pastHalfTheHold_startsAsBackup_andSaysWhy() {
        Node n = node(3, List.of());

        Decision d = n.feed(new Input.StartedAfterHandOver(secs(15.5), 1000));

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertInstanceOf(BecomeBackup.class, d.actions().getFirst());
        assertEquals(Optional.of("(redis-vip) INIT -> BACKUP: started, waiting 3.4s to hear a master; not resumed as"
                + " MASTER after the planned agent restart: its hand-over 15.5s ago is past half the peer's 30.0s"
                + " hold"), d.sentence());
    }

    @Test
    void startedAfterAHandOver_datedAhead_startsAsBackup() {
        Node n = node(3, List.of());

        Decision d = n.feed(new Input.StartedAfterHandOver(-secs(5), 1000));

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertTrue(d.sentence().orElseThrow().endsWith("not resumed as MASTER after the planned agent restart: its"
                + " hand-over is dated 5.0s ahead of the clock (the clock was stepped back)"), d.sentence().orElseThrow());
    }

    @Test
    void startedAfterAHandOver_withAFaultingCheckDown_entersFault() {
        Node n = node(3, List.of(new Track("redis", 0)));
        n.feed(new Input.TrackedCheckWentDown("redis"));

        Decision d = n.feed(new Input.StartedAfterHandOver(secs(1), 1000));

        assertEquals(VrrpState.FAULT, n.vrrpState());
        assertInstanceOf(EnterFault.class, d.actions().getFirst());
        assertEquals(Optional.of("(redis-vip) INIT -> FAULT: started while tracked check redis is down; not resumed as"
                + " MASTER after the planned agent restart"), d.sentence());
    }

    @Test
    void v2_startedAfterAHandOver_resumesOnlyWithinHalfOfThreeIntervals() {
        Node quick = node(2, List.of());
        Decision d = quick.feed(new Input.StartedAfterHandOver(secs(1.2), 100));
        assertEquals(VrrpState.MASTER, quick.vrrpState());
        assertEquals(Optional.of("(redis-vip) INIT -> MASTER: resumed after a planned agent restart 1.2s ago (peer held"
                + " for 3.0s by our last advert)"), d.sentence());

        Node slow = node(2, List.of());
        slow.feed(new Input.StartedAfterHandOver(secs(1.6), 100));
        assertEquals(VrrpState.BACKUP, slow.vrrpState());
    }

    @Test
    void startedAfterAHandOver_whenAlreadyStarted_changesNothing() {
        Node n = master(3);

        Decision d = n.feed(new Input.StartedAfterHandOver(secs(1), 1000));

        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertEquals(List.of(), d.actions());
    }
}
