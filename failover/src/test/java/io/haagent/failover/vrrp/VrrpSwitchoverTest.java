package io.haagent.failover.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.failover.vrrp.Action.BecomeBackup;
import io.haagent.failover.vrrp.Action.BecomeMaster;
import io.haagent.failover.vrrp.Action.SendAdvert;
import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: a planned switchover ({@link Input.SwitchoverRequested}) and a node drain ({@link Input.DrainRequested},
 * lifted by {@link Input.ResumeRequested}), decided on the fake clock.
 */
class VrrpSwitchoverTest {

    private static final String US = "10.0.1.10";
    private static final String PEER = "10.0.1.11";
    private static final String WHY = "switchover requested by operator (reason patching): peer 10.0.1.11 caught up at offset 123456";

    private final FakeTicker fake = new FakeTicker();

    private Node master(int priority) {
        Node n = new Node(Node.params(US, priority), fake);
        n.feed(new Input.Started());
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        return n;
    }

    @Test
    void master_switchoverRequested_sendsPriorityZeroAndBecomesBackup_inOneSentence() {
        Node n = master(150);

        Decision d = n.feed(new Input.SwitchoverRequested(WHY));

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        // RFC 5798 §6.4.3: priority 0 first, so the peer takes over after its skew time
        assertEquals(new SendAdvert(0, 100), d.actions().get(0));
        BecomeBackup b = assertInstanceOf(BecomeBackup.class, d.actions().get(1));
        assertEquals(VrrpState.MASTER, b.from());
        // who takes over is learned from its first advert; the role actions replicate it then
        assertEquals(Optional.empty(), b.master());
        assertEquals(Optional.of("(redis-vip) MASTER -> BACKUP: " + WHY + ", sent priority 0"), d.sentence());
        assertEquals(Optional.of(new ElectionHold(ElectionHold.Kind.STEPPED_DOWN, WHY)), n.state.hold());
    }

    @Test
    void steppedDown_preemptWithHigherPriority_followsTheLowerPeer_doesNotTakeMastershipBack() {
        Node n = master(150); // preempt: true, 150 > the peer's 100
        n.feed(new Input.SwitchoverRequested(WHY));
        n.advert(PEER, 100);

        for (int i = 0; i < 50; i++) {
            fake.advance(Duration.ofSeconds(1));
            n.advert(PEER, 100);
            n.feed(new Input.TimePassed());
        }

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(Optional.of(PEER), n.state.master().map(Object::toString));
        assertTrue(n.decisions.stream().skip(3).allMatch(d -> d.actions().isEmpty()), "no advert, no transition");
    }

    @Test
    void steppedDown_newMasterFallsSilent_takesOverAsAFailover_andTheHoldEnds() {
        Node n = master(150);
        n.feed(new Input.SwitchoverRequested(WHY));
        n.advert(PEER, 100);

        Decision d = n.fireTimer(); // the new master is gone: a failover, not a preemption

        assertEquals(VrrpState.MASTER, n.vrrpState());
        assertInstanceOf(BecomeMaster.class, d.actions().get(1));
        assertEquals(Optional.empty(), n.state.hold());
        // MASTER again: the next switchover of the peer's is an ordinary one, preemption works as configured
        n.feed(new Input.SwitchoverRequested(WHY));
        n.advert(PEER, 100);
        assertEquals(VrrpState.BACKUP, n.vrrpState());
    }

    @Test
    void backup_switchoverRequested_changesNothing() {
        Node n = new Node(Node.params(US, 100), fake);
        n.feed(new Input.Started());
        n.advert(PEER, 150);
        ElectionState before = n.state;

        Decision d = n.feed(new Input.SwitchoverRequested(WHY));

        assertEquals(before, d.state());
        assertEquals(List.of(), d.actions());
        assertEquals(Optional.empty(), d.sentence());
    }

    @Test
    void drainedBackup_masterFallsSilent_staysBackup_saysSoOnce_andArmsNoTimer() {
        Node n = new Node(Node.params(US, 100), fake);
        n.feed(new Input.Started());
        n.advert(PEER, 150);
        Decision drained = n.feed(new Input.DrainRequested("node drained by operator (reason kernel update)"));
        assertEquals(Optional.of("(redis-vip) drained: node drained by operator (reason kernel update); stays BACKUP and"
                + " takes no part in elections until the node is resumed"), drained.sentence());

        Decision silent = n.fireTimer();

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(List.of(), silent.actions());
        assertEquals(Optional.of("(redis-vip) master " + PEER + " silent for 3.6s; staying BACKUP because the node is drained"
                + " (node drained by operator (reason kernel update)) until it is resumed"), silent.sentence());
        assertEquals(Long.MAX_VALUE, silent.nextWakeAtNanos());
    }

    @Test
    void drainedMaster_stepsDownWithPriorityZero_andStaysOutUntilResumed() {
        Node n = master(150);

        Decision d = n.feed(new Input.DrainRequested("node drained by operator (reason kernel update): peer 10.0.1.11 caught up at offset 7"));

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(new SendAdvert(0, 100), d.actions().get(0));
        assertEquals(Optional.of("(redis-vip) MASTER -> BACKUP: node drained by operator (reason kernel update): peer"
                + " 10.0.1.11 caught up at offset 7, sent priority 0"), d.sentence());
        n.advert(PEER, 0); // the peer leaves too: nobody is master, and a drained node still does not take over
        n.fireTimer();
        assertEquals(VrrpState.BACKUP, n.vrrpState());

        Decision resumed = n.feed(new Input.ResumeRequested("node resumed by operator"));
        assertEquals(Optional.of("(redis-vip) node resumed by operator: takes part in elections again"), resumed.sentence());
        assertEquals(Optional.empty(), n.state.hold());
        Decision d2 = n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState(), String.valueOf(d2.sentence()));
    }

    @Test
    void drained_survivesFaultAndRestartOfTheElection() {
        Node n = new Node(Node.params(US, 150, 3, true, Duration.ZERO, Duration.ZERO,
                List.of(new io.haagent.config.VrrpInstance.Track("redis", 0))), fake);
        n.feed(new Input.Started());
        n.feed(new Input.DrainRequested("drained"));
        n.feed(new Input.TrackedCheckWentDown("redis"));
        n.feed(new Input.TrackedCheckWentUp("redis"));
        n.feed(new Input.StopRequested());
        n.feed(new Input.Started());

        n.fireTimer();

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertEquals(ElectionHold.Kind.DRAINED, n.state.hold().orElseThrow().kind());
    }

    @Test
    void resume_withoutHold_isQuiet() {
        Node n = master(150);
        Decision d = n.feed(new Input.ResumeRequested("node resumed by operator"));
        assertEquals(Optional.empty(), d.sentence());
        assertEquals(List.of(), d.actions());
    }
}
