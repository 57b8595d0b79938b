package io.haagent.agent.metrics;

import io.haagent.failover.vrrp.VrrpState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's Prometheus metrics. Every name starts with {@code haagent_}. State gauges carry
 * the stable codes of their enums (STYLE §7), documented in each gauge's description as a
 * {@code Values:} legend, so dashboards can map them and the codes never change meaning.
 */
public final class AgentMetrics implements AutoCloseable {
    /** {@code haagent_check_up}: 1 up, 0 down, -1 unknown (no result yet). */
    public static final String CHECK_UP_LEGEND = "Values: 1 up, 0 down, -1 unknown (no result yet)";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicInteger> checkUp = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> serviceState = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> vrrpState = new ConcurrentHashMap<>();
    private final String serviceStateLegend;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** @param serviceStateLegend the {@code Values:} legend of the service state codes */
    public AgentMetrics(String serviceStateLegend) {
        this.serviceStateLegend = serviceStateLegend;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** One check result: its duration histogram by outcome, and the up gauge. */
    public void checkResult(String check, String type, boolean up, long durationNanos) {
        Timer.builder("haagent.check.duration")
                .description("How long each check run took, by outcome")
                .tags("check", check, "type", type, "result", up ? "up" : "down")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** The check's rise/fall state: {@code up} null means no result yet. */
    public void checkState(String check, Boolean up) {
        gauge(checkUp, check, "haagent.check.up", "check", "Whether the check is up after rise/fall. " + CHECK_UP_LEGEND)
                .set(up == null ? -1 : up ? 1 : 0);
    }

    public void serviceState(String service, int code) {
        gauge(serviceState, service, "haagent.service.state", "service", "The service's healing state. " + serviceStateLegend)
                .set(code);
    }

    public void restarted(String service) {
        counter("haagent.service.restarts", "Restarts the agent performed", "service", service).increment();
    }

    public void gaveUp(String service) {
        counter("haagent.service.give.ups", "Times a service went FATAL after too many restarts", "service", service).increment();
    }

    public void escalated(String service) {
        counter("haagent.escalations", "VM restarts the agent performed", "service", service).increment();
    }

    /** The instance's VRRP state code ({@link VrrpState#LEGEND}); -1 when it could not start. */
    public void vrrpState(String instance, int code) {
        gauge(vrrpState, instance, "haagent.vrrp.state", "instance",
                "The VRRP instance's state. Values: -1 not running, " + VrrpState.LEGEND).set(code);
    }

    public void vrrpTransition(String instance, String to) {
        counter("haagent.vrrp.transitions", "VRRP state changes, by the state entered", "instance", instance, "to", to)
                .increment();
    }

    /** An advert refused before it reached the election; {@code reason} is a stable drop label. */
    public void vrrpAdvertDropped(String instance, String reason) {
        counter("haagent.vrrp.adverts.dropped", "Adverts dropped before the election, by reason",
                "instance", instance, "reason", reason).increment();
    }

    public void vrrpAdvertSent(String instance) {
        counter("haagent.vrrp.adverts.sent", "Adverts sent (one per peer)", "instance", instance).increment();
    }

    /** A config reload attempt; {@code errors} is the number of lint errors that refused it (0 when applied). */
    public void reload(boolean applied, int errors) {
        counter("haagent.config.reloads", "Config reloads, by result", "result", applied ? "ok" : "failed").increment();
        if (!applied) {
            counter("haagent.config.reload.lint.errors", "Lint errors found in refused reloads").increment(errors);
        }
    }

    /**
     * The admin server closed a connection or refused a request at one of its limits; {@code reason} is a stable
     * label: {@code connections}, {@code pipelined}, {@code idle}, {@code rate}, {@code malformed}.
     */
    public void adminRefused(String reason) {
        counter("haagent.admin.refused", "Admin connections closed and requests refused at the admin server's limits, by reason",
                "reason", reason).increment();
    }

    /** Drops the meters of a check or service that a reload removed, so /metrics does not show ghosts. */
    public void forget(String tagKey, String name) {
        for (Meter m : registry.getMeters()) {
            if (name.equals(m.getId().getTag(tagKey))) {
                registry.remove(m);
            }
        }
        switch (tagKey) {
            case "check" -> checkUp.remove(name);
            case "service" -> serviceState.remove(name);
            case "instance" -> vrrpState.remove(name);
            default -> throw new IllegalArgumentException("no meters are tagged " + tagKey);
        }
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private AtomicInteger gauge(Map<String, AtomicInteger> values, String key, String name, String tag, String description) {
        return values.computeIfAbsent(key, k -> {
            AtomicInteger v = new AtomicInteger(-1);
            Gauge.builder(name, v, AtomicInteger::get).description(description).tag(tag, k).register(registry);
            return v;
        });
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
