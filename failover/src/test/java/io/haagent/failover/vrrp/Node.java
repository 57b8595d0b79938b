package io.haagent.failover.vrrp;

import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance.Track;
import io.haagent.testkit.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One instance driven by a fake ticker: feeds inputs, keeps the state, records every decision. */
final class Node {
    VrrpMachine machine;
    final FakeTicker ticker;
    ElectionState state = ElectionState.initial();
    final List<Decision> decisions = new ArrayList<>();

    Node(VrrpParams params, FakeTicker ticker) {
        this.machine = new VrrpMachine(params);
        this.ticker = ticker;
    }

    static VrrpParams params(String source, int priority, int version, boolean preempt, Duration preemptDelay,
                             Duration startupDelay, List<Track> tracks) {
        return new VrrpParams("redis-vip", version, priority, 100, Ipv4.parse(source), preempt,
                preemptDelay.toNanos(), startupDelay.toNanos(), tracks);
    }

    static VrrpParams params(String source, int priority) {
        return params(source, priority, 3, true, Duration.ZERO, Duration.ZERO, List.of());
    }

    Decision feed(Input in) {
        Decision d = machine.decide(in, state, ticker.nanoTime());
        state = d.state();
        decisions.add(d);
        return d;
    }

    Decision advert(String source, int priority) {
        return feed(new Input.AdvertReceived(Ipv4.parse(source), priority, 100));
    }

    /** Advances the clock to the decision's wake-up time and fires the timer. */
    Decision fireTimer() {
        long wake = last().nextWakeAtNanos();
        if (wake == Long.MAX_VALUE) {
            throw new AssertionError("no timer is running in " + state.state());
        }
        long now = ticker.nanoTime();
        if (wake > now) {
            ticker.advance(Duration.ofNanos(wake - now));
        }
        return feed(new Input.TimePassed());
    }

    /** A reload: the machine takes {@code next}, and decides what that means for the running state. */
    Decision reconfigure(VrrpParams next, java.util.Set<String> downChecks, String... changes) {
        VrrpParams before = machine.params();
        machine = new VrrpMachine(next);
        return feed(new Input.Reconfigured(before, downChecks, List.of(changes)));
    }

    Decision last() {
        return decisions.getLast();
    }

    VrrpState vrrpState() {
        return state.state();
    }
}
