package io.haagent.failover.lease;

import static io.haagent.failover.lease.LeaseNode.EPOCH;
import static io.haagent.failover.lease.LeaseNode.TRUSTED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.failover.lease.LeaseInput.LeftMaster;
import io.haagent.failover.lease.LeaseInput.RenewalAcked;
import io.haagent.failover.lease.LeaseInput.Suspended;
import io.haagent.failover.lease.LeaseInput.WantsMaster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Fenced steps: an irreversible step runs only while the lease is ours and before its deadline, tagged with its epoch. */
class LeaseFenceTest {

    private final LeaseNode n = LeaseNode.holder();
    private final long deadline = n.now() + TRUSTED;

    @Test
    void heldBeforeTheDeadline_grantsWithTheEpoch() {
        assertEquals(new Fence.Granted(EPOCH), n.fence());
        n.advance(Duration.ofNanos(TRUSTED - 1));
        assertEquals(new Fence.Granted(EPOCH), n.fence());
    }

    @Test
    void exactlyAtTheDeadline_refuses_evenBeforeTheLoopWoke() {
        n.advance(Duration.ofNanos(TRUSTED));
        assertEquals(LeasePhase.HELD, n.phase()); // not told yet: the fence reads the clock it is given
        assertEquals(new Fence.Refused("the lease's deadline passed 0.0s ago"), n.fence());
    }

    @Test
    void suspendedBeforeTheDeadline_stillGrants() {
        n.advance(Duration.ofSeconds(2));
        n.feed(new Suspended());
        assertEquals(new Fence.Granted(EPOCH), n.fence());
    }

    @Test
    void aRenewal_grantsPastTheFirstDeadline() {
        long sent = n.now() + Duration.ofSeconds(5).toNanos();
        n.at(sent);
        n.feed(new RenewalAcked(sent));
        n.at(deadline + Duration.ofSeconds(1).toNanos());
        assertEquals(new Fence.Granted(EPOCH), n.fence());
    }

    @Test
    void afterDemotion_refuses() {
        n.at(deadline);
        assertEquals(new Fence.Refused("the instance does not want MASTER"), n.fence());
    }

    @Test
    void afterLeavingMaster_refuses() {
        n.feed(new LeftMaster("stop"));
        assertEquals(new Fence.Refused("the instance does not want MASTER"), n.fence());
    }

    @Test
    void whileAcquiring_refuses() {
        LeaseNode backup = new LeaseNode();
        backup.feed(new WantsMaster());
        assertEquals(new Fence.Refused("the lease is not ours yet"), backup.fence());
    }
}
