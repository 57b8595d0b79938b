package io.haagent.failover.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.haagent.failover.vrrp.Action.BecomeBackup;
import io.haagent.failover.vrrp.Action.EnterFault;
import io.haagent.failover.vrrp.Action.SendAdvert;
import io.haagent.testkit.FakeTicker;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The promotion guard as an input of the election: a refusal holds FAULT, its lifting returns to BACKUP. */
class VrrpPromotionGuardTest {
    private final FakeTicker fake = new FakeTicker();

    private Node master() {
        Node n = new Node(Node.params("10.0.1.10", 150), fake);
        n.feed(new Input.Started());
        n.fireTimer();
        assertEquals(VrrpState.MASTER, n.vrrpState());
        return n;
    }

    @Test
    void master_promotionRefused_entersFault_sendingPriorityZero() {
        Node n = master();

        Decision d = n.feed(new Input.PromotionRefused("refused to promote the local Redis: never synced"));

        assertEquals(VrrpState.FAULT, n.vrrpState());
        assertEquals(new SendAdvert(0, 100), d.actions().get(0));
        assertInstanceOf(EnterFault.class, d.actions().get(1));
        assertEquals(Optional.of("(redis-vip) MASTER -> FAULT: the local Redis must not be promoted: refused to promote the"
                + " local Redis: never synced, sent priority 0"), d.sentence());
        assertEquals(Set.of(), n.state.downChecks(), "the guard is not a check");
    }

    @Test
    void fault_promotionAllowed_returnsToBackup_andARepeatIsQuiet() {
        Node n = master();
        n.feed(new Input.PromotionRefused("never synced"));
        assertEquals(List.of(), n.feed(new Input.PromotionRefused("never synced")).actions());

        Decision d = n.feed(new Input.PromotionAllowed("the local Redis replicates 10.0.1.11:6379, link up"));

        assertEquals(VrrpState.BACKUP, n.vrrpState());
        assertInstanceOf(BecomeBackup.class, d.actions().getFirst());
        assertEquals(Optional.of("(redis-vip) FAULT -> BACKUP: the promotion guard lifted: the local Redis replicates"
                + " 10.0.1.11:6379, link up"), d.sentence());
        assertEquals(List.of(), n.feed(new Input.PromotionAllowed("again")).actions());
    }

    @Test
    void guardAndCheck_bothHoldFault_untilBothLift() {
        Node n = new Node(Node.params("10.0.1.10", 150, 3, true, java.time.Duration.ZERO, java.time.Duration.ZERO,
                List.of(new io.haagent.config.VrrpInstance.Track("redis", 0))), fake);
        n.feed(new Input.Started());
        n.fireTimer();
        n.feed(new Input.PromotionRefused("never synced"));
        n.feed(new Input.TrackedCheckWentDown("redis"));

        n.feed(new Input.PromotionAllowed("replicating"));
        assertEquals(VrrpState.FAULT, n.vrrpState(), "the check still holds it");
        n.feed(new Input.TrackedCheckWentUp("redis"));
        assertEquals(VrrpState.BACKUP, n.vrrpState());
    }

    @Test
    void refusedGuard_outlivesAStopAndStart_andAReload() {
        Node n = master();
        n.feed(new Input.PromotionRefused("never synced"));
        n.feed(new Input.StopRequested());
        assertEquals(VrrpState.INIT, n.vrrpState());

        Decision d = n.feed(new Input.Started());
        assertEquals(VrrpState.FAULT, n.vrrpState());
        assertEquals(Optional.of("(redis-vip) INIT -> FAULT: started while the promotion guard refuses the local Redis"),
                d.sentence());

        d = n.reconfigure(Node.params("10.0.1.10", 160), Set.of(), "priority 150 -> 160");
        assertEquals(VrrpState.FAULT, n.vrrpState());
        assertEquals(Optional.of("(redis-vip) reconfigured in place by a reload (priority 150 -> 160); still FAULT at priority"
                + " 160 while the promotion guard refuses the local Redis"), d.sentence());
    }
}
