package io.haagent.agent.heal;

import io.haagent.event.EventIds;
import io.haagent.time.Backoff;

/**
 * The randomness of one decision: SplitMix64 over the seed carried in {@link HealState}. The same
 * state draws the same jitter and event ids, so {@code decide} stays a pure function; the stream's
 * position goes back into the state for the next decision.
 */
final class SeededStream {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private long seed;

    SeededStream(long seed) {
        this.seed = seed;
    }

    long next() {
        seed += GOLDEN;
        long z = seed;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A draw in [0, 1), for a backoff's jitter. */
    double unit() {
        return Backoff.unit(next());
    }

    /** A fresh event id. */
    String eventId() {
        return EventIds.format(next());
    }

    /** Where the stream stands: the seed the next decision starts from. */
    long seed() {
        return seed;
    }
}
