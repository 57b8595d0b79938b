package io.haagent.agent.metrics;

import io.haagent.agent.load.push.PushListener;
import io.haagent.checker.probe.CheckResult;
import io.haagent.checker.probe.Reading;
import io.haagent.checker.probe.RedisReplication;
import io.haagent.failover.vrrp.VrrpState;
import io.haagent.failover.vrrp.instance.AdvertDrop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The agent's Prometheus metrics. Every name starts with {@code haagent_}. State gauges carry
 * the stable codes of their enums (STYLE §7), documented in each gauge's description as a
 * {@code Values:} legend, so dashboards can map them and the codes never change meaning; beside each, one series
 * per state ({@code haagent_service_in_state{state="FATAL"} 1}, the others 0), as node_exporter's systemd collector,
 * for alerts that name the state.
 *
 * <p>Counters are registered at 0 as soon as their service, instance or reason is known, not at their first
 * event: {@code increase()} over a series born with its first restart reads 0.
 */
public final class AgentMetrics implements AutoCloseable {
    /** {@code haagent_check_up}: 1 up, 0 down, -1 unknown (no result yet). */
    public static final String CHECK_UP_LEGEND = "Values: 1 up, 0 down, -1 unknown (no result yet)";
    /** The labels a VRRP series carries, as keepalived's exporter: not {@code instance}, which is the target's. */
    public static final String VRRP_INSTANCE = "vrrp_instance";
    /** The reasons {@link #adminRefused} is called with; each has its counter from the start. */
    static final List<String> ADMIN_REFUSALS = List.of("connections", "pipelined", "idle", "rate", "malformed");
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPEN_METRICS = "application/openmetrics-text";
    /** Check durations: from a local tcp connect to a slow script's timeout, a handful of classic buckets. */
    static final double[] CHECK_DURATION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicInteger> checkUp = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> checkLastSuccessMillis = new ConcurrentHashMap<>();
    private final Map<String, StateSeries> serviceState = new ConcurrentHashMap<>();
    private final Map<String, VrrpLabels> vrrp = new ConcurrentHashMap<>();
    private final CheckGauge diskUsed = new CheckGauge("haagent.disk.used.ratio", null,
            "The used share (0 to 1) of the file system a disk check measures, as df counts it");
    private final CheckGauge fileAge = new CheckGauge("haagent.file.age", "seconds",
            "How long ago the file of a file_age check was last written");
    private final CheckGauge redisLinkDown = new CheckGauge("haagent.redis.master.link.down", "seconds",
            "A replica's seconds without its master (master_link_down_since_seconds): 0 while the link is up,"
                    + " -1 not linked since the replica started; absent on a master");
    private final CheckGauge redisLag = new CheckGauge("haagent.redis.replication.lag", "bytes",
            "On a master, how far its furthest-behind replica trails: master_repl_offset minus that replica's"
                    + " offset; absent on a replica and on a master with no replica");
    private final String serviceStateLegend;
    private final List<String> serviceStates;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    // A Prometheus client histogram, not a Micrometer timer: the timer would add a _max gauge family.
    private final Histogram checkDuration;
    private LoadPushMeters loadPush;

    /** For tests of one part: no service state names, the build unknown. */
    public AgentMetrics(String serviceStateLegend) {
        this(serviceStateLegend, List.of(), "unknown", "unknown");
    }

    /**
     * @param serviceStateLegend the {@code Values:} legend of the service state codes
     * @param serviceStates      the service state names, one {@code haagent_service_in_state} series each
     * @param version            the build's version, as {@code haagent version} says it
     * @param commit             the build's git commit, as {@code haagent version} says it
     */
    public AgentMetrics(String serviceStateLegend, List<String> serviceStates, String version, String commit) {
        this.serviceStateLegend = serviceStateLegend;
        this.serviceStates = List.copyOf(serviceStates);
        // promtool check metrics refuses these two: an abbreviated unit (process_cpu_time_ns_total; process_cpu_usage
        // stays) and a gauge ending in _count (system_cpu_count, renamed system_cpus).
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        checkDuration = Histogram.builder().name("haagent_check_duration_seconds")
                .help("How long each check run took, by outcome")
                .labelNames("check", "type", "result")
                .classicOnly().classicUpperBounds(CHECK_DURATION_BUCKETS)
                // Exemplars need the tracer initializer, which Micrometer leaves out; a check has no trace anyway.
                .withoutExemplars()
                .register(registry.getPrometheusRegistry());
        Info.builder().name("haagent_build_info").help("The build this agent runs: its version and git commit")
                .labelNames("version", "commit").register(registry.getPrometheusRegistry())
                .setLabelValues(version, commit);
        for (String result : List.of("ok", "failed")) {
            reloads(result);
        }
        counter("haagent.config.reload.lint.errors", "Lint errors found in refused reloads");
        ADMIN_REFUSALS.forEach(this::adminRefusals);
        mailSendFailures();
    }

    /** The mail spool: {@code pending} counts the mails not yet accepted by the SMTP server. */
    public void mail(IntSupplier pending) {
        Gauge.builder("haagent.mail.pending", pending, IntSupplier::getAsInt)
                .description("Mails spooled and not yet accepted by the SMTP server")
                .strongReference(true) // the supplier is a method reference nobody else holds
                .register(registry);
    }

    /**
     * The load push's series ({@code haagent_load_push_*}), registered at 0 at the first call, when {@code scaler.push}
     * is configured; hand the listener to the {@code LoadPusher}. Every call answers the same listener, so a reload's
     * new pusher counts on in the same series.
     */
    public synchronized PushListener loadPush() {
        if (loadPush == null) {
            loadPush = new LoadPushMeters(registry);
        }
        return loadPush;
    }

    /** One attempt to send mail (or a digest) that failed; it stays spooled and is retried. */
    public void mailSendFailed() {
        mailSendFailures().increment();
    }

    /** One check result: its duration histogram by outcome; when up, the time of its last success. */
    public void checkResult(String check, String type, boolean up, long durationNanos) {
        checkDuration.labelValues(check, type, up ? "up" : "down").observe(durationNanos / 1e9);
        if (up) {
            checkLastSuccessMillis.computeIfAbsent(check, k -> {
                AtomicLong millis = new AtomicLong();
                Gauge.builder("haagent.check.last.success.timestamp", millis, m -> m.get() / 1000.0)
                        .description("When the check last succeeded (a single run), in seconds since the epoch")
                        .baseUnit("seconds").tag("check", k).register(registry);
                return millis;
            }).set(System.currentTimeMillis()); // wall clock: what humans and time() compare it with
        }
    }

    /** The check's rise/fall state: {@code up} null means no result yet. */
    public void checkState(String check, Boolean up) {
        checkUp.computeIfAbsent(check, k -> {
            AtomicInteger v = new AtomicInteger(-1);
            Gauge.builder("haagent.check.up", v, AtomicInteger::get)
                    .description("Whether the check is up after rise/fall. " + CHECK_UP_LEGEND).tag("check", k)
                    .register(registry);
            return v;
        }).set(up == null ? -1 : up ? 1 : 0);
    }

    /**
     * The numbers the check's run read, each a gauge labelled {@code check}: a disk's used ratio, a file's age, a
     * Redis replica's link-down seconds or a master's replication lag. A number the run could not read (the path
     * vanished, Redis did not answer, a master has no link) is absent until a run reads it again: a stale value
     * would graph as if it were still true.
     */
    public void checkReadings(String check, CheckResult result) {
        Reading reading = result.reading().orElse(null);
        diskUsed.set(check, reading instanceof Reading.DiskUsed d ? OptionalDouble.of(d.ratio()) : OptionalDouble.empty());
        fileAge.set(check, reading instanceof Reading.FileAge f
                ? OptionalDouble.of(f.age().toNanos() / 1e9) : OptionalDouble.empty());
        RedisReplication replication = result.replication().orElse(null);
        redisLinkDown.set(check, replication == null ? OptionalDouble.empty() : asDouble(replication.linkDownSeconds()));
        redisLag.set(check, replication == null ? OptionalDouble.empty() : asDouble(replication.lagBytes()));
    }

    private static OptionalDouble asDouble(OptionalLong value) {
        return value.isPresent() ? OptionalDouble.of(value.getAsLong()) : OptionalDouble.empty();
    }

    /** A service the config names: its counters at 0 and its state series, before anything happens to it. */
    public void service(String service) {
        serviceState.computeIfAbsent(service, s -> {
            StateSeries series = new StateSeries();
            Gauge.builder("haagent.service.state", series, StateSeries::code)
                    .description("The service's healing state. " + serviceStateLegend).tag("service", s)
                    .register(registry);
            for (String state : serviceStates) {
                Gauge.builder("haagent.service.in.state", series, x -> x.is(state))
                        .description("1 for the state the service is in, 0 for the others").tags("service", s, "state", state)
                        .register(registry);
            }
            restarts(s);
            giveUps(s);
            escalations(s);
            return series;
        });
    }

    /** The service's healing state: its code ({@code haagent_service_state}) and name ({@code _in_state}). */
    public void serviceState(String service, int code, String state) {
        service(service);
        serviceState.get(service).set(code, state);
    }

    public void restarted(String service) {
        restarts(service).increment();
    }

    public void gaveUp(String service) {
        giveUps(service).increment();
    }

    public void escalated(String service) {
        escalations(service).increment();
    }

    /**
     * A VRRP instance the config names: its labels ({@code vrrp_instance}, {@code vrid}, {@code interface}, empty
     * without one), its counters at 0 for every state and drop reason, its state series, and its priorities as the
     * suppliers read them. A second call with other labels (a reload changed the vrid) replaces the series.
     */
    public void vrrpInstance(String instance, int vrid, String iface, IntSupplier priority, IntSupplier configuredPriority) {
        VrrpLabels labels = new VrrpLabels(instance, vrid, iface, priority, configuredPriority);
        VrrpLabels before = vrrp.get(instance);
        if (before != null && before.sameAs(labels)) {
            before.priority = priority; // a restarted instance: the same series, read from the new runner
            before.configuredPriority = configuredPriority;
            return;
        }
        if (before != null) {
            forget(VRRP_INSTANCE, instance);
        }
        vrrp.put(instance, labels);
        String[] tags = labels.tags();
        Gauge.builder("haagent.vrrp.state", labels.state(), StateSeries::code)
                .description("The VRRP instance's state. Values: -1 not running, " + VrrpState.LEGEND).tags(tags)
                .register(registry);
        for (VrrpState state : VrrpState.values()) {
            Gauge.builder("haagent.vrrp.in.state", labels.state(), x -> x.is(state.name()))
                    .description("1 for the state the VRRP instance is in, 0 for the others").tags(tags)
                    .tag("state", state.name()).register(registry);
            transitions(labels, state.name());
        }
        Gauge.builder("haagent.vrrp.priority", labels, l -> l.priority.getAsInt())
                .description("The priority the instance advertises now: configured, lowered by failed tracked checks")
                .tags(tags).register(registry);
        Gauge.builder("haagent.vrrp.configured.priority", labels, l -> l.configuredPriority.getAsInt())
                .description("The priority the config gives the instance").tags(tags).register(registry);
        for (AdvertDrop reason : AdvertDrop.values()) {
            dropped(labels, reason.label());
        }
        sent(labels);
        priorityZeroSent(labels);
        received(labels);
        priorityZeroReceived(labels);
        becameMaster(labels);
    }

    /** The instance's VRRP state code ({@link VrrpState#LEGEND}); -1 when it could not start. */
    public void vrrpState(String instance, int code) {
        VrrpLabels labels = vrrp.get(instance);
        if (labels != null) {
            labels.state().set(code, code < 0 ? "" : VrrpState.values()[code].name());
        }
    }

    public void vrrpTransition(String instance, String to) {
        VrrpLabels labels = vrrp.get(instance);
        if (labels != null) {
            transitions(labels, to).increment();
            if (to.equals(VrrpState.MASTER.name())) {
                becameMaster(labels).increment();
            }
        }
    }

    /** An advert refused before it reached the election; {@code reason} is a stable drop label. */
    public void vrrpAdvertDropped(String instance, String reason) {
        VrrpLabels labels = vrrp.get(instance);
        if (labels != null) {
            dropped(labels, reason).increment();
        }
    }

    /** One advert sent to one peer, with the priority it carried (0: this node resigned, RFC 5798 §6.4.3). */
    public void vrrpAdvertSent(String instance, int priority) {
        VrrpLabels labels = vrrp.get(instance);
        if (labels != null) {
            sent(labels).increment();
            if (priority == 0) {
                priorityZeroSent(labels).increment();
            }
        }
    }

    /** An advert that reached the election, with the priority it carried (0: the master resigned). */
    public void vrrpAdvertReceived(String instance, int priority) {
        VrrpLabels labels = vrrp.get(instance);
        if (labels != null) {
            received(labels).increment();
            if (priority == 0) {
                priorityZeroReceived(labels).increment();
            }
        }
    }

    /** A config reload attempt; {@code errors} is the number of lint errors that refused it (0 when applied). */
    public void reload(boolean applied, int errors) {
        reloads(applied ? "ok" : "failed").increment();
        if (!applied) {
            counter("haagent.config.reload.lint.errors", "Lint errors found in refused reloads").increment(errors);
        }
    }

    /**
     * The admin server closed a connection or refused a request at one of its limits; {@code reason} is a stable
     * label: {@code connections}, {@code pipelined}, {@code idle}, {@code rate}, {@code malformed}.
     */
    public void adminRefused(String reason) {
        adminRefusals(reason).increment();
    }

    /**
     * Drops the series of a check, service or VRRP instance that a reload removed, so /metrics does not show
     * ghosts. {@code tagKey} is {@code check}, {@code service} or {@link #VRRP_INSTANCE}.
     */
    /**
     * Issue 14: {@code haagent_vrrp_lease_epoch}, the epoch of the ZooKeeper lease instance {@code instance} holds (its
     * node's czxid: a newer lease has a larger one; 0 while it holds none), so an operator can tell which master is
     * newer. Only for instances in {@code lease_for}; after {@link #vrrpInstance}, whose labels it carries.
     */
    public void vrrpLease(String instance, LongSupplier epoch) {
        VrrpLabels labels = vrrp.get(instance);
        if (labels == null) {
            return;
        }
        labels.leaseEpoch = epoch; // a restarted instance: the same series, read from the new runner
        Gauge.builder("haagent.vrrp.lease.epoch", labels, l -> (double) l.leaseEpoch.getAsLong())
                .description("The epoch of the ZooKeeper lease the instance holds (its node's czxid), 0 while it holds none")
                .tags(labels.tags()).register(registry);
    }

    public void forget(String tagKey, String name) {
        for (Meter m : registry.getMeters()) {
            if (name.equals(m.getId().getTag(tagKey))) {
                registry.remove(m);
            }
        }
        switch (tagKey) {
            case "check" -> {
                checkUp.remove(name);
                checkLastSuccessMillis.remove(name);
                checkDuration.removeIf(values -> values.getFirst().equals(name));
                for (CheckGauge g : List.of(diskUsed, fileAge, redisLinkDown, redisLag)) {
                    g.forget(name);
                }
            }
            case "service" -> serviceState.remove(name);
            case VRRP_INSTANCE -> vrrp.remove(name);
            default -> throw new IllegalArgumentException("no meters are tagged " + tagKey);
        }
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public String scrape() {
        return registry.scrape(TEXT);
    }

    /** A scrape in the format the scraper's {@code Accept} header asks for: OpenMetrics when it names it. */
    public Exposition scrape(String accept) {
        if (accept != null && accept.contains(OPEN_METRICS)) {
            return new Exposition(OPEN_METRICS + "; version=1.0.0; charset=utf-8", registry.scrape(OPEN_METRICS));
        }
        return new Exposition(TEXT, scrape());
    }

    /** A scrape's body and the content type that names its format. */
    public record Exposition(String contentType, String body) {}

    private Counter restarts(String service) {
        return counter("haagent.service.restarts", "Restarts the agent performed", "service", service);
    }

    private Counter giveUps(String service) {
        return counter("haagent.service.give.ups", "Times a service went FATAL after too many restarts", "service", service);
    }

    private Counter escalations(String service) {
        return counter("haagent.escalations", "VM restarts the agent performed", "service", service);
    }

    private Counter transitions(VrrpLabels labels, String to) {
        return counter("haagent.vrrp.transitions", "VRRP state changes, by the state entered", labels.tags("to", to));
    }

    private Counter becameMaster(VrrpLabels labels) {
        return counter("haagent.vrrp.became.master", "Times the instance became MASTER", labels.tags());
    }

    private Counter dropped(VrrpLabels labels, String reason) {
        return counter("haagent.vrrp.adverts.dropped", "Adverts dropped before the election, by reason",
                labels.tags("reason", reason));
    }

    private Counter sent(VrrpLabels labels) {
        return counter("haagent.vrrp.adverts.sent", "Adverts sent (one per peer)", labels.tags());
    }

    private Counter received(VrrpLabels labels) {
        return counter("haagent.vrrp.adverts.received", "Adverts that reached the election", labels.tags());
    }

    private Counter priorityZeroSent(VrrpLabels labels) {
        return counter("haagent.vrrp.priority.zero.sent",
                "Adverts sent with priority 0 (one per peer): this node resigned as master", labels.tags());
    }

    private Counter priorityZeroReceived(VrrpLabels labels) {
        return counter("haagent.vrrp.priority.zero.received", "Adverts received with priority 0: the master resigned",
                labels.tags());
    }

    private Counter reloads(String result) {
        return counter("haagent.config.reloads", "Config reloads, by result", "result", result);
    }

    private Counter adminRefusals(String reason) {
        return counter("haagent.admin.refused",
                "Admin connections closed and requests refused at the admin server's limits, by reason", "reason", reason);
    }

    private Counter mailSendFailures() {
        return counter("haagent.mail.send.failures", "Attempts to send mail that failed (the mail stays spooled)");
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /** One gauge family with a series per check: registered at its first value, removed when a run has none. */
    private final class CheckGauge {
        private final String name;
        private final String baseUnit;
        private final String description;
        private final Map<String, Latest> series = new ConcurrentHashMap<>();

        CheckGauge(String name, String baseUnit, String description) {
            this.name = name;
            this.baseUnit = baseUnit;
            this.description = description;
        }

        void set(String check, OptionalDouble value) {
            if (value.isEmpty()) {
                Latest gone = series.remove(check);
                if (gone != null) {
                    registry.remove(gone.gauge);
                }
                return;
            }
            series.computeIfAbsent(check, c -> {
                Latest latest = new Latest();
                latest.value = value.getAsDouble(); // the first scrape must not read 0
                latest.gauge = Gauge.builder(name, latest, l -> l.value).description(description).baseUnit(baseUnit)
                        .tag("check", c).register(registry);
                return latest;
            }).value = value.getAsDouble();
        }

        /** The check is gone from the config; {@link AgentMetrics#forget} removes its meters. */
        void forget(String check) {
            series.remove(check);
        }
    }

    /** The last value of one series and the meter that reads it. */
    private static final class Latest {
        private volatile double value;
        private Gauge gauge;
    }

    /** A state as a code and a name, read by the numeric gauge and the per-state ones. */
    private static final class StateSeries {
        private volatile int code = -1;
        private volatile String name = "";

        void set(int code, String name) {
            this.code = code;
            this.name = name;
        }

        int code() {
            return code;
        }

        int is(String state) {
            return state.equals(name) ? 1 : 0;
        }
    }

    /** What every series of one VRRP instance carries, and its state. */
    private static final class VrrpLabels {
        private final String instance;
        private final int vrid;
        private final String iface;
        private final StateSeries state = new StateSeries();
        private volatile IntSupplier priority;
        private volatile IntSupplier configuredPriority;
        private volatile LongSupplier leaseEpoch = () -> 0;

        VrrpLabels(String instance, int vrid, String iface, IntSupplier priority, IntSupplier configuredPriority) {
            this.instance = instance;
            this.vrid = vrid;
            this.iface = iface;
            this.priority = priority;
            this.configuredPriority = configuredPriority;
        }

        StateSeries state() {
            return state;
        }

        String[] tags(String... more) {
            String[] tags = new String[6 + more.length];
            tags[0] = VRRP_INSTANCE;
            tags[1] = instance;
            tags[2] = "vrid";
            tags[3] = Integer.toString(vrid);
            tags[4] = "interface";
            tags[5] = iface;
            System.arraycopy(more, 0, tags, 6, more.length);
            return tags;
        }

        boolean sameAs(VrrpLabels o) {
            return instance.equals(o.instance) && vrid == o.vrid && iface.equals(o.iface);
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
