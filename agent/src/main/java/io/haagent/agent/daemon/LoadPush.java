package io.haagent.agent.daemon;

import io.haagent.agent.load.Ec2Identity;
import io.haagent.agent.load.Ec2Instance;
import io.haagent.agent.load.HaView;
import io.haagent.agent.load.HostReaders;
import io.haagent.agent.load.HttpThroughput;
import io.haagent.agent.load.LoadReader;
import io.haagent.agent.load.LoadSampler;
import io.haagent.agent.load.PushedSample;
import io.haagent.agent.load.RedisThroughput;
import io.haagent.agent.load.push.FailureReason;
import io.haagent.agent.load.push.HttpLoadSink;
import io.haagent.agent.load.push.LoadPusher;
import io.haagent.agent.load.push.LoadSink;
import io.haagent.agent.load.push.PushListener;
import io.haagent.agent.load.push.RedisLoadSink;
import io.haagent.agent.load.push.ZookeeperLoadSink;
import io.haagent.agent.metrics.AgentMetrics;
import io.haagent.config.Durations;
import io.haagent.config.HaagentConfig;
import io.haagent.config.ScalerPush;
import io.haagent.config.Secret;
import io.haagent.failover.zookeeper.ZkCoordination;
import io.haagent.time.Ticker;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code scaler.push}: this host's load, its application's throughput and its HA states, sampled every interval and
 * pushed to the planned scaler's sink (issue 15). The sampler and its pusher run on the pusher's own thread; a reload
 * that changes the section replaces both (samples still waiting for the old sink are dropped, said in one line), one
 * that does not keeps them. The latest sample is also {@code GET /load}.
 */
final class LoadPush implements Component {
    private static final Logger log = LoggerFactory.getLogger(LoadPush.class);
    /** A sample's Redis INFO must not hold the push thread long: the sample goes without it. */
    private static final Duration THROUGHPUT_REDIS_TIMEOUT = Duration.ofSeconds(2);
    /** A Redis sink's command must not hold the push thread long either; the backlog keeps the sample. */
    private static final Duration REDIS_SINK_TIMEOUT = Duration.ofSeconds(5);
    /** How long the agent's stop waits for the pusher to end: its own close is bounded by about 6 s. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final String node;
    private final AgentMetrics metrics;
    private final Supplier<HaView> ha;
    private final Supplier<Optional<ZkCoordination>> zookeeper;
    private final Ticker ticker;
    private final Supplier<Optional<Ec2Instance>> ec2;
    /** Samples are numbered per agent start, across reloads. */
    private final AtomicLong seq = new AtomicLong();

    // written on the daemon's thread (apply, close); read by /status and GET /load from any thread
    private volatile Running running;
    private volatile PushedSample last;

    /** One configuration's sampler, pusher and the readers it must close. */
    private record Running(ScalerPush config, LoadPusher pusher, String sink, List<AutoCloseable> readers,
                           Recorder recorder) {}

    LoadPush(String node, AgentMetrics metrics, Supplier<HaView> ha, Supplier<Optional<ZkCoordination>> zookeeper,
             Ticker ticker) {
        this.node = node;
        this.metrics = metrics;
        this.ha = ha;
        this.zookeeper = zookeeper;
        this.ticker = ticker;
        this.ec2 = ec2Identity(ticker);
    }

    /** IMDS as the environment says (the AWS SDK's variables); a malformed endpoint turns the lookup off. */
    private static Supplier<Optional<Ec2Instance>> ec2Identity(Ticker ticker) {
        try {
            return Ec2Identity.fromEnvironment(System.getenv(), ticker);
        } catch (IllegalArgumentException e) {
            log.warn("load push: AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL ({}); samples carry no EC2 identity",
                    e.getMessage());
            return Optional::empty;
        }
    }

    @Override
    public void apply(HaagentConfig config, ReloadPlan plan) {
        Optional<ScalerPush> next = config.scaler();
        Running now = running;
        if (now == null ? next.isEmpty() : next.equals(Optional.of(now.config()))) {
            return; // unchanged; a section whose start failed is tried again
        }
        running = null;
        if (next.isEmpty()) {
            retire(now, null);
            log.info("load push: off (scaler.push removed)");
            return;
        }
        Running prepared;
        try {
            prepared = prepare(next.get());
        } catch (RuntimeException | IOException e) {
            retire(now, null);
            log.error("load push: cannot start: {}; no load is pushed until a reload fixes it", e.getMessage());
            return;
        }
        running = prepared;
        retire(now, prepared);
        log.info("load push: a sample every {} as role {} to {}{}", Durations.format(next.get().interval()),
                next.get().role(), prepared.sink(), now != null ? " (scaler.push changed)" : "");
    }

    /** Builds the readers, the sink and the pusher for {@code push}; the pusher is started by {@link #retire}. */
    private Running prepare(ScalerPush push) throws IOException {
        List<LoadReader> readers = new ArrayList<>(HostReaders.linux(HostReaders.PROC, push.interfaces(),
                push.mounts()));
        List<AutoCloseable> closeable = new ArrayList<>();
        try {
            switch (push.throughput().orElse(null)) {
                case null -> { }
                case ScalerPush.RedisThroughput r -> {
                    RedisThroughput t = new RedisThroughput(r.host(), r.port(), reveal(r.password()),
                            THROUGHPUT_REDIS_TIMEOUT);
                    readers.add(t);
                    closeable.add(t);
                }
                case ScalerPush.HttpThroughput h -> {
                    HttpThroughput t = new HttpThroughput(h.url(), h.field(), h.timeout());
                    readers.add(t);
                    closeable.add(t);
                }
            }
            LoadSink sink = sink(push);
            LoadSampler sampler = new LoadSampler(node, push.role(), readers, ec2, ha, Clock.systemUTC(), seq);
            Recorder recorder = new Recorder(metrics.loadPush());
            Supplier<PushedSample> remembering = () -> {
                PushedSample s = sampler.sample();
                last = s;
                return s;
            };
            LoadPusher pusher = new LoadPusher(remembering, sink, push.interval(), push.buffer(),
                    LoadPusher.DEFAULT_BACKOFF, recorder, ticker, Clock.systemUTC());
            return new Running(push, pusher, sink.name(), closeable, recorder);
        } catch (IOException | RuntimeException e) {
            closeAll(closeable);
            throw e;
        }
    }

    private LoadSink sink(ScalerPush push) throws IOException {
        return switch (push.sink()) {
            case ScalerPush.HttpSink h -> new HttpLoadSink(h.url(), h.timeout());
            case ScalerPush.RedisSink r -> new RedisLoadSink(r.host(), r.port(), reveal(r.password()), r.key(),
                    r.hostsKey(), r.ttl(), REDIS_SINK_TIMEOUT);
            case ScalerPush.ZookeeperSink z -> new ZookeeperLoadSink(zookeeper.get().orElseThrow(
                    () -> new IllegalStateException("the zookeeper sink needs the ZooKeeper session of "
                            + "coordination.zookeeper, which starts with haagent: restart haagent to start it"))
                    .ephemeralNode(ZookeeperLoadSink.nodePath(z.path(), push.role(), node)));
        };
    }

    /** A {@code password_file} is read when the pusher starts: a rotated password takes a reload. */
    private static Optional<String> reveal(Optional<Secret> secret) throws IOException {
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(secret.get().reveal());
        } catch (IOException e) {
            throw new IOException("cannot read the password_file " + e.getMessage(), e);
        }
    }

    /** The latest sample's document, as the sinks got it; empty without {@code scaler.push} or before the first. */
    Optional<byte[]> lastDocument() {
        PushedSample s = last;
        return running == null || s == null ? Optional.empty() : Optional.of(s.json());
    }

    @Override
    public void status(Map<String, Object> into) {
        Running r = running;
        if (r == null) {
            return;
        }
        PushedSample s = last;
        Instant lastSuccess = r.recorder().lastSuccess;
        FailureReason failing = r.recorder().failing;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sink", r.sink());
        m.put("interval", Durations.format(r.config().interval()));
        m.put("seq", s == null ? null : s.seq());
        m.put("sampled", s == null ? null : s.time().toString());
        m.put("last_success", lastSuccess == null ? null : lastSuccess.toString());
        m.put("buffered", r.recorder().buffered);
        m.put("failing", failing == null ? null : failing.label());
        // the headline of the latest sample (the whole document is GET /load)
        for (String field : List.of("lifecycle", "node_load1", "node_memory_MemAvailable_bytes",
                "node_memory_MemTotal_bytes")) {
            m.put(field, s == null ? null : s.fields().get(field));
        }
        into.put("load_push", m);
    }

    /** At the agent's stop: the pusher ends (bounded) before the ZooKeeper session it may use is closed. */
    @Override
    public void close() {
        Running r = running;
        running = null;
        Thread closing = retire(r, null);
        if (closing != null) {
            try {
                closing.join(CLOSE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Ends {@code old}'s pusher on a thread of its own, then starts {@code next}'s: neither a reload nor the agent's
     * stop waits on a sink that does not answer (a send in flight is given {@link LoadPusher}'s close wait), and the
     * two pushers never send at once, so a sink gets the samples in order across a reload. Returns that thread.
     */
    private Thread retire(Running old, Running next) {
        if (old == null) {
            if (next != null) {
                next.pusher().start();
            }
            return null;
        }
        return Thread.ofPlatform().name("load-push-close").daemon().start(() -> {
            old.pusher().close();
            closeAll(old.readers());
            if (old.recorder().buffered > 0) {
                log.warn("load push: {} samples not yet sent to {} are dropped with it", old.recorder().buffered,
                        old.sink());
            }
            if (next != null && running == next) { // not replaced or stopped meanwhile (which closes it)
                next.pusher().start();
            }
        });
    }

    private static void closeAll(List<AutoCloseable> readers) {
        for (AutoCloseable c : readers) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("load push: closing {} failed", c, e);
            }
        }
    }

    /** The metrics, and what /status says of the push. */
    private static final class Recorder implements PushListener {
        private final PushListener metrics;
        private volatile Instant lastSuccess;
        private volatile int buffered;
        private volatile FailureReason failing;

        Recorder(PushListener metrics) {
            this.metrics = metrics;
        }

        @Override
        public void sent(Instant at) {
            lastSuccess = at;
            failing = null;
            metrics.sent(at);
        }

        @Override
        public void failed(FailureReason reason) {
            failing = reason;
            metrics.failed(reason);
        }

        @Override
        public void dropped() {
            metrics.dropped();
        }

        @Override
        public void buffered(int count) {
            buffered = count;
            metrics.buffered(count);
        }
    }
}
