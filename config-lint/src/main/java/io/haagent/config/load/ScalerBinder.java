package io.haagent.config.load;

import static io.haagent.config.load.Variants.row;

import io.haagent.config.Defaults;
import io.haagent.config.ScalerPush;
import io.haagent.config.Secret;
import io.haagent.config.load.Fields.Conv;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Binds {@code scaler.push:}: how often this host reports its load, as which role, and to which sink. */
final class ScalerBinder {
    private final Values values;

    ScalerBinder(Values values) {
        this.values = values;
    }

    ScalerPush push(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        Duration interval = f.opt("interval", values.positiveDuration(), Defaults.PUSH_INTERVAL);
        String role = f.req("role", values::name, "the fleet role this host serves, like web");
        ScalerPush.Sink sink = f.req("sink", values.object(s -> {
            ScalerPush.Sink chosen = s.oneOf(sinks(interval), "no sink; add one of http: { url: ... }, "
                    + "redis: { host: ..., key: ... } or zookeeper: { path: ... }");
            return s.done(() -> chosen);
        }), "sink: { http: { url: ... } }");
        int buffer = f.opt("buffer", values.integer(1, 100_000, "samples kept while the sink is down"),
                Defaults.PUSH_BUFFER);
        List<String> interfaces = f.opt("interfaces", values.list(values::iface, false), List.of());
        List<Path> mounts = f.opt("mounts", values.list(values.absolutePath(), false), Defaults.PUSH_MOUNTS);
        Optional<ScalerPush.Throughput> throughput = f.opt("throughput", values.object(t -> {
            ScalerPush.Throughput chosen = t.oneOf(throughputs(), "no source; add one of redis: { host: ... } or "
                    + "http: { url: ..., field: ... }");
            return t.done(() -> chosen);
        }));
        return f.done(() -> new ScalerPush(interval, role, sink, buffer, interfaces, mounts, throughput));
    }

    /** Where the load goes: exactly one of these sub-keys. A Redis sink's entries outlive a few push intervals. */
    private Variants<Conv<ScalerPush.Sink>> sinks(Duration interval) {
        return Variants.of(
                row("http", values.object(this::httpSink)),
                row("redis", values.object(k -> redisSink(k, interval))),
                row("zookeeper", values.object(this::zookeeperSink)));
    }

    private ScalerPush.Sink httpSink(Fields k) {
        URI url = k.req("url", values.url(), "the scaler's load URL");
        Duration timeout = k.opt("timeout", values.positiveDuration(), Defaults.PUSH_HTTP_TIMEOUT);
        return k.done(() -> new ScalerPush.HttpSink(url, timeout));
    }

    private ScalerPush.Sink redisSink(Fields k, Duration interval) {
        String host = k.req("host", values::host, "the Redis server holding the load hashes");
        int port = k.opt("port", values.port(), Defaults.REDIS_PORT);
        Optional<Secret> password = values.secret(k, "password");
        String key = k.opt("key", values::nonEmpty, Defaults.REDIS_SINK_KEY);
        Duration ttl = k.opt("ttl", values.positiveDuration(), Defaults.redisSinkTtl(interval));
        String hostsKey = k.opt("hosts_key", values::nonEmpty, Defaults.REDIS_SINK_HOSTS_KEY);
        return k.done(() -> new ScalerPush.RedisSink(host, port, password, key, ttl, hostsKey));
    }

    private ScalerPush.Sink zookeeperSink(Fields k) {
        String zpath = k.req("path", values.znodePath("/scaler/load"), "the parent znode, like /scaler/load");
        return k.done(() -> new ScalerPush.ZookeeperSink(zpath));
    }

    /** Where the application's throughput is read: exactly one of these sub-keys. */
    private Variants<Conv<ScalerPush.Throughput>> throughputs() {
        return Variants.of(
                row("redis", values.object(this::redisThroughput)),
                row("http", values.object(this::httpThroughput)));
    }

    private ScalerPush.Throughput redisThroughput(Fields k) {
        String host = k.req("host", values::host, "the Redis server whose INFO tells the application's throughput");
        int port = k.opt("port", values.port(), Defaults.REDIS_PORT);
        Optional<Secret> password = values.secret(k, "password");
        return k.done(() -> new ScalerPush.RedisThroughput(host, port, password));
    }

    private ScalerPush.Throughput httpThroughput(Fields k) {
        URI url = k.req("url", values.url(), "the URL that answers the application's throughput as JSON");
        String field = k.req("field", values::nonEmpty, "the JSON field holding the number, like requests_per_minute");
        Duration timeout = k.opt("timeout", values.positiveDuration(), Defaults.PUSH_HTTP_TIMEOUT);
        return k.done(() -> new ScalerPush.HttpThroughput(url, field, timeout));
    }
}
