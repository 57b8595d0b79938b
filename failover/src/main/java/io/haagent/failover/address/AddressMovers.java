package io.haagent.failover.address;

import io.haagent.config.VrrpInstance;
import io.haagent.time.Backoff;
import java.time.Duration;

/** Makes the {@link AddressMover} for an {@code on_master.address} config block. */
public final class AddressMovers {

    /**
     * Bounds of an EC2 move.
     *
     * @param deadline  the whole acquire, all polls included (ENI: detach, force, attach, attached)
     * @param call      one EC2 API call, the SDK's retries included
     * @param firstPoll the first pause between two describes; doubles up to {@code maxPoll}
     * @param maxPoll   the longest pause between two describes
     */
    public record Timeouts(Duration deadline, Duration call, Duration firstPoll, Duration maxPoll) {
        /** 60 s in all, 10 s a call, polls 250 ms, 500 ms, then every 1 s. */
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofMillis(250), Duration.ofSeconds(1));

        public Timeouts {
            if (deadline.isNegative() || call.isNegative() || firstPoll.isNegative() || firstPoll.isZero()
                    || maxPoll.compareTo(firstPoll) < 0) {
                throw new IllegalArgumentException("timeouts must be positive and firstPoll <= maxPoll: deadline "
                        + deadline + ", call " + call + ", firstPoll " + firstPoll + ", maxPoll " + maxPoll);
            }
        }

        /** The pauses between two describes: {@code firstPoll}, doubling up to {@code maxPoll}. */
        Backoff polls() {
            return new Backoff(firstPoll, maxPoll);
        }
    }

    private AddressMovers() {}

    /** The mover for {@code move}, with the default timeouts. */
    public static AddressMover of(VrrpInstance.AddressMove move) {
        return of(move, Timeouts.DEFAULT);
    }

    public static AddressMover of(VrrpInstance.AddressMove move, Timeouts timeouts) {
        return of(move, timeouts, Edges.system());
    }

    static AddressMover of(VrrpInstance.AddressMove move, Timeouts timeouts, Edges edges) {
        return switch (move) {
            case VrrpInstance.Eni eni -> new EniMover(eni, timeouts, edges);
            case VrrpInstance.SecondaryIp ip -> new SecondaryIpMover(ip, timeouts, edges);
            case VrrpInstance.LocalAddress local -> new LocalAddressMover(local, edges);
        };
    }
}
