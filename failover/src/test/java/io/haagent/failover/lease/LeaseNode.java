package io.haagent.failover.lease;

import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One instance's lease driven by a fake ticker: a 10 s session (8 s trusted after each request, a renewal every
 * 1.67 s) and a 1 s advert interval (a 2 s failsafe window). Feeds inputs, keeps the state, records every decision.
 */
final class LeaseNode {
    static final long SESSION = 0x1234L;
    static final long EPOCH = 0x10000002aL;
    static final long TRUSTED = Duration.ofSeconds(8).toNanos();
    static final long RENEW_EVERY = Duration.ofSeconds(10).toNanos() / 6;

    final FakeTicker ticker = new FakeTicker();
    final LeaseMachine machine = new LeaseMachine(
            LeaseParams.of("redis-vip", Duration.ofSeconds(10), Duration.ofSeconds(1)));
    LeaseState state = LeaseState.initial();
    final List<LeaseDecision> decisions = new ArrayList<>();

    /** Wanted MASTER and acquired the lease with a create sent now: HELD, deadline {@link #TRUSTED} from now. */
    static LeaseNode holder() {
        LeaseNode n = new LeaseNode();
        n.feed(new LeaseInput.WantsMaster());
        n.feed(new LeaseInput.Acquired(EPOCH, SESSION, n.now()));
        if (n.phase() != LeasePhase.HELD) {
            throw new AssertionError("not HELD: " + n.state);
        }
        return n;
    }

    LeaseDecision feed(LeaseInput in) {
        LeaseDecision d = machine.decide(in, state, now());
        state = d.state();
        decisions.add(d);
        return d;
    }

    /** Moves the clock to {@code t} (not back) and tells the machine the time passed. */
    LeaseDecision at(long t) {
        if (t > now()) {
            ticker.advance(Duration.ofNanos(t - now()));
        }
        return feed(new LeaseInput.TimePassed());
    }

    LeaseDecision after(Duration d) {
        return at(now() + d.toNanos());
    }

    /** Moves the clock by {@code d} without telling the machine (a loop that has not woken yet). */
    void advance(Duration d) {
        ticker.advance(d);
    }

    /** The peer advertises as a lower-priority BACKUP every second, from now until {@code until}. */
    void peerAgreesUntil(long until) {
        while (now() + Duration.ofSeconds(1).toNanos() <= until) {
            advance(Duration.ofSeconds(1));
            feed(new LeaseInput.PeerAdvertHeard(100, true));
            feed(new LeaseInput.TimePassed());
        }
    }

    long now() {
        return ticker.nanoTime();
    }

    LeaseDecision last() {
        return decisions.getLast();
    }

    LeasePhase phase() {
        return state.phase();
    }

    Fence fence() {
        return machine.fence(state, now());
    }

    /** Every action of every decision since {@code from} (an index into {@link #decisions}). */
    List<LeaseAction> actionsSince(int from) {
        return decisions.subList(from, decisions.size()).stream().flatMap(d -> d.actions().stream()).toList();
    }
}
