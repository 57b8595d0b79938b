package io.haagent.agent.metrics;

import io.haagent.agent.load.push.FailureReason;
import io.haagent.agent.load.push.PushListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load push's series, every one born at 0 when the push is configured: samples taken by the sink, failures by
 * reason (the closed set of {@link FailureReason}), samples dropped beyond the buffer, samples waiting, and the time of
 * the last success (0 until the first: an alert on its age fires for a push that never worked, too).
 */
final class LoadPushMeters implements PushListener {
    private final Counter samples;
    private final Counter dropped;
    private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
    private final AtomicInteger buffered = new AtomicInteger();
    private final AtomicLong lastSuccessMillis = new AtomicLong();

    LoadPushMeters(MeterRegistry registry) {
        samples = Counter.builder("haagent.load.push.samples").description("Load samples the scaler's sink took")
                .register(registry);
        dropped = Counter.builder("haagent.load.push.dropped")
                .description("Load samples dropped unsent, the oldest first, because the buffer was full while the"
                        + " sink was down").register(registry);
        for (FailureReason reason : FailureReason.values()) {
            failures.put(reason, Counter.builder("haagent.load.push.failures")
                    .description("Attempts to send a load sample that failed (the sample is kept and retried), by reason")
                    .tag("reason", reason.label()).register(registry));
        }
        Gauge.builder("haagent.load.push.buffered", buffered, AtomicInteger::get)
                .description("Load samples waiting to be sent").register(registry);
        Gauge.builder("haagent.load.push.last.success.timestamp", lastSuccessMillis, m -> m.get() / 1000.0)
                .description("When the sink last took a load sample, in seconds since the epoch (0: never)")
                .baseUnit("seconds").register(registry);
    }

    @Override
    public void sent(Instant at) {
        samples.increment();
        lastSuccessMillis.set(at.toEpochMilli());
    }

    @Override
    public void failed(FailureReason reason) {
        failures.get(reason).increment();
    }

    @Override
    public void dropped() {
        dropped.increment();
    }

    @Override
    public void buffered(int count) {
        buffered.set(count);
    }
}
