package io.haagent.failover.zookeeper;

import io.haagent.failover.lease.LeaseInput;
import io.haagent.testkit.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** What a lease reported, in order, read by the test one report at a time. */
final class Reports implements LeaseListener {
    private final List<LeaseInput> seen = new CopyOnWriteArrayList<>();
    private final Duration within;
    private int taken;

    Reports(Duration within) {
        this.within = within;
    }

    @Override
    public void reported(LeaseInput input) {
        seen.add(input);
    }

    /** The next report of {@code type} after the last one taken, skipping the others in between. */
    <T extends LeaseInput> T next(Class<T> type) {
        return Eventually.get(within, () -> "a " + type.getSimpleName() + " report after the first " + taken
                + "; all: " + seen, () -> {
            for (int i = taken; i < seen.size(); i++) {
                if (type.isInstance(seen.get(i))) {
                    taken = i + 1;
                    return Optional.of(type.cast(seen.get(i)));
                }
            }
            return Optional.empty();
        });
    }

    List<LeaseInput> all() {
        return List.copyOf(seen);
    }
}
