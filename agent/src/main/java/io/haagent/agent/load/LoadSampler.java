package io.haagent.agent.load;

import io.haagent.agent.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Takes one load sample: runs the readers, asks for the EC2 identity and the HA view, and renders the result once as
 * a {@link PushedSample}. Never throws for what it reads: a reader that fails leaves its series out and adds one
 * sentence to {@code problems}.
 *
 * <p>The document ({@code PushedSample.json}, UTF-8, what {@code GET /load} shows and the http sink posts), keys always
 * in this order:
 * <pre>{@code
 * {
 *   "node": "web-1", "role": "web", "seq": 42, "time": "2026-12-05T09:30:00.123Z",
 *   "host": {"vcpus": 8, "memory_total_bytes": 3831959552,
 *            "instance_id": "i-0abc...", "availability_zone": "eu-west-1a", "instance_type": "m6i.large"},
 *   "series": {"node_cpu_seconds_total{cpu=\"0\",mode=\"user\"}": 444.9, ..., "node_load1": 0.21,
 *              "node_memory_MemTotal_bytes": 3831959552, ..., "redis_commands_processed_total": 1234,
 *              "app_throughput{field=\"stats.rpm\"}": 5400},
 *   "ha": {"lifecycle": "in_service",
 *          "vrrp": {"redis-vip": {"state": "MASTER", "actions_running": false}},
 *          "services": {"redis": "RUNNING"}},
 *   "problems": ["interface eth1 is not in /proc/net/dev: ..."]
 * }
 * }</pre>
 * {@code seq} counts samples from 1 per agent start; {@code time} is the wall clock in UTC to the millisecond;
 * {@code host} has the EC2 keys only once IMDS answered, {@code vcpus} and {@code memory_total_bytes} only when
 * /proc/stat and /proc/meminfo were read; {@code series} are raw counters and gauges named as node_exporter and
 * redis_exporter name them (a consumer makes rates from two samples); counts are JSON integers, seconds and averages
 * decimals; {@code ha} is null (with a problem) only when the daemon could not say.
 *
 * <p>{@code PushedSample.fields}, the same sample flat (what the Redis sink writes as hash fields), every value a
 * string, in this order: {@code node}, {@code role}, {@code seq}, {@code time}, the {@code host} keys, every series
 * by its name, {@code lifecycle}, {@code vrrp_state{instance="redis-vip"}} = {@code MASTER},
 * {@code vrrp_actions_running{instance="redis-vip"}} = {@code 1} or {@code 0}, {@code service_state{service="redis"}}
 * = {@code RUNNING}, and {@code problems}: the sentences joined by line feeds, empty when there are none (always
 * present, so a hash written over the last one never keeps an old problem). A decimal that is a whole number is
 * written without a fraction ({@code 3018}), others as Java writes a double ({@code 3018.54}). The Redis sink writes
 * {@code time} as epoch seconds instead, the unit of its hosts set's scores, so a scaler compares the two directly.
 */
public final class LoadSampler {
    private final String node;
    private final String role;
    private final List<LoadReader> readers;
    private final Supplier<Optional<Ec2Instance>> ec2;
    private final Supplier<HaView> ha;
    private final Clock clock;
    private final AtomicLong seq;

    /**
     * @param readers {@link HostReaders#linux}, then the application's {@link RedisThroughput} or
     *                {@link HttpThroughput} if configured; their series appear in this order
     * @param ec2     an {@link Ec2Identity}, or {@code Optional::empty} where EC2 is out of the question
     * @param ha      the daemon's view when asked
     * @param clock   the wall clock for {@code time} only
     */
    public LoadSampler(String node, String role, List<LoadReader> readers, Supplier<Optional<Ec2Instance>> ec2,
                       Supplier<HaView> ha, Clock clock) {
        this(node, role, readers, ec2, ha, clock, new AtomicLong());
    }

    /**
     * @param seq the last sequence number given, shared with the sampler this one replaces (a reload that changes
     *            {@code scaler.push}), so that {@code seq} counts per agent start, not per config
     */
    public LoadSampler(String node, String role, List<LoadReader> readers, Supplier<Optional<Ec2Instance>> ec2,
                       Supplier<HaView> ha, Clock clock, AtomicLong seq) {
        this.seq = seq;
        this.node = node;
        this.role = role;
        this.readers = List.copyOf(readers);
        this.ec2 = ec2;
        this.ha = ha;
        this.clock = clock;
    }

    /** One sample, numbered after the last; safe to call from one thread at a time per reader set. */
    public synchronized PushedSample sample() {
        long n = seq.incrementAndGet();
        Instant time = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Readings r = new Readings();
        readers.forEach(r::take);
        try {
            ec2.get().ifPresent(i -> {
                r.host("instance_id", i.instanceId());
                r.host("availability_zone", i.availabilityZone());
                r.host("instance_type", i.instanceType());
            });
        } catch (RuntimeException e) {
            r.problem("EC2 identity left out: " + Problems.reason(e));
        }
        HaView view;
        try {
            view = ha.get();
        } catch (RuntimeException e) {
            view = null;
            r.problem("HA states left out: the daemon could not say (" + Problems.reason(e) + ")");
        }
        return new PushedSample(node, role, n, time, document(n, time, r, view), fields(n, time, r, view));
    }

    private byte[] document(long n, Instant time, Readings r, HaView view) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("node", node);
        doc.put("role", role);
        doc.put("seq", n);
        doc.put("time", time.toString());
        doc.put("host", r.host());
        doc.put("series", r.series());
        if (view == null) {
            doc.put("ha", null);
        } else {
            Map<String, Object> vrrp = new LinkedHashMap<>();
            view.vrrp().forEach((name, v) -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("state", v.state());
                one.put("actions_running", v.actionsRunning());
                vrrp.put(name, one);
            });
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("lifecycle", view.lifecycle().wireName());
            h.put("vrrp", vrrp);
            h.put("services", view.services());
            doc.put("ha", h);
        }
        doc.put("problems", r.problems());
        return Json.write(doc).getBytes(StandardCharsets.UTF_8);
    }

    private SequencedMap<String, String> fields(long n, Instant time, Readings r, HaView view) {
        SequencedMap<String, String> f = new LinkedHashMap<>();
        f.put("node", node);
        f.put("role", role);
        f.put("seq", Long.toString(n));
        f.put("time", time.toString());
        r.host().forEach((k, v) -> f.put(k, v.toString()));
        r.series().forEach((k, v) -> f.put(k, number(v)));
        if (view != null) {
            f.put("lifecycle", view.lifecycle().wireName());
            view.vrrp().forEach((name, v) -> {
                f.put("vrrp_state{instance=\"" + name + "\"}", v.state());
                f.put("vrrp_actions_running{instance=\"" + name + "\"}", v.actionsRunning() ? "1" : "0");
            });
            view.services().forEach((name, state) -> f.put("service_state{service=\"" + name + "\"}", state));
        }
        f.put("problems", String.join("\n", r.problems()));
        return f;
    }

    static String number(Number v) {
        if (v instanceof Double d) {
            double x = d;
            if (x == Math.rint(x) && Math.abs(x) < 1e15) {
                return Long.toString((long) x);
            }
            return Double.toString(x);
        }
        return v.toString();
    }
}
