package io.haagent.agent.load.push;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A {@link PushListener} that counts what it is told, for the tests. */
final class Recorder implements PushListener {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicInteger buffered = new AtomicInteger();
    final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    final Map<FailureReason, AtomicLong> failures = new ConcurrentHashMap<>();

    @Override
    public void sent(Instant at) {
        sent.incrementAndGet();
        lastSuccess.set(at);
    }

    @Override
    public void failed(FailureReason reason) {
        failures.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public void dropped() {
        dropped.incrementAndGet();
    }

    @Override
    public void buffered(int count) {
        buffered.set(count);
    }

    long failures(FailureReason reason) {
        AtomicLong n = failures.get(reason);
        return n == null ? 0 : n.get();
    }
}
