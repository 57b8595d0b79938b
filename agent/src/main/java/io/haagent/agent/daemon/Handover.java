package io.haagent.agent.daemon;

import io.haagent.config.Ipv4;
import java.time.Duration;
import java.util.Optional;

/**
 * The hand-over after this node left MASTER, as a pure value: the old master's Redis service stays held
 * against restarts until the new master has been heard and has had {@code settle} to promote its Redis.
 * Restarted earlier, the old master's Redis comes back empty as a master, and the replica, still pointed at
 * it, would resync from it and lose everything just before its own promotion. With no peer taking over, the
 * hold ends {@code timeout} after leaving: then nobody else can serve, and a restart is the best left.
 *
 * @param leftNanos  when this node left MASTER
 * @param eventId    the event of that transition, for the sentence
 * @param heardNanos when a new master's first advert arrived; empty before
 * @param newMaster  who sent it
 */
record Handover(long leftNanos, String eventId, Optional<Long> heardNanos, Optional<Ipv4> newMaster) {

    static Handover left(long nowNanos, String eventId) {
        return new Handover(nowNanos, eventId, Optional.empty(), Optional.empty());
    }

    /** An advert arrived: from a master, unless it is a priority-0 goodbye. Only the first one counts. */
    Handover heard(Ipv4 peer, int priority, long nowNanos) {
        if (priority == 0 || heardNanos.isPresent()) {
            return this;
        }
        return new Handover(leftNanos, eventId, Optional.of(nowNanos), Optional.of(peer));
    }

    /** What to do now. */
    sealed interface Verdict {
        /** End the hold; {@code reason} completes "releasing redis for healing: ...". */
        record Release(String reason) implements Verdict {}

        /** Keep holding; decide again at {@code wakeAtNanos} (or when a master is heard). */
        record Wait(long wakeAtNanos) implements Verdict {}
    }

    Verdict decide(long nowNanos, Duration settle, Duration timeout) {
        if (heardNanos.isPresent() && nowNanos - heardNanos.get() >= settle.toNanos()) {
            return new Verdict.Release("the new master " + newMaster.orElseThrow() + " has taken over");
        }
        if (nowNanos - leftNanos >= timeout.toNanos()) {
            return new Verdict.Release("no new master within " + timeout.toMillis() + " ms");
        }
        long timeoutAt = leftNanos + timeout.toNanos();
        return new Verdict.Wait(heardNanos.map(h -> Math.min(h + settle.toNanos(), timeoutAt)).orElse(timeoutAt));
    }
}
