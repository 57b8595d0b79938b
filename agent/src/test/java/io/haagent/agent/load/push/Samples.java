package io.haagent.agent.load.push;

import io.haagent.agent.load.PushedSample;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Samples as the sampler makes them, numbered 1, 2, 3..., for tests of the sinks and the pusher. */
final class Samples implements Supplier<PushedSample> {
    static final Instant T0 = Instant.parse("2026-12-05T09:00:00Z");

    private final String node;
    private final String role;
    private final AtomicLong seq = new AtomicLong();

    Samples(String node, String role) {
        this.node = node;
        this.role = role;
    }

    /** How many samples were taken. */
    long taken() {
        return seq.get();
    }

    @Override
    public PushedSample get() {
        return sample(node, role, seq.incrementAndGet(), T0.plusSeconds(seq.get() * 10));
    }

    static PushedSample sample(String node, String role, long seq, Instant time) {
        SequencedMap<String, String> fields = new LinkedHashMap<>();
        fields.put("node_load1", "0." + seq);
        fields.put("node_cpu_seconds_total{mode=\"user\"}", Long.toString(100 + seq));
        String json = "{\"node\":\"" + node + "\",\"role\":\"" + role + "\",\"seq\":" + seq + ",\"node_load1\":0." + seq
                + "}";
        return new PushedSample(node, role, seq, time, json.getBytes(StandardCharsets.UTF_8), fields);
    }

    /** The seq in a sample's JSON, as a receiver reads it. */
    static long seqOf(String json) {
        int at = json.indexOf("\"seq\":") + 6;
        int end = at;
        while (end < json.length() && Character.isDigit(json.charAt(end))) {
            end++;
        }
        return Long.parseLong(json.substring(at, end));
    }
}
