package io.haagent.config.load;

import static io.haagent.config.load.Variants.row;

import io.haagent.config.CheckSpec;
import io.haagent.config.CheckSpec.CheckTiming;
import io.haagent.config.CheckSpec.StatusRange;
import io.haagent.config.Defaults;
import io.haagent.config.HostPort;
import io.haagent.config.Secret;
import io.haagent.lint.finding.Rule;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Binds one entry of {@code checks:}: the keys every check has, then its type's own. */
final class CheckBinder {
    /** Binds one check type's own keys, after the timing keys that every type shares. */
    @FunctionalInterface
    private interface Type {
        CheckSpec bind(Fields f, CheckTiming timing);
    }

    private final Values values;
    private final Variants<Type> types = Variants.of(
            row("http", this::http),
            row("redis", this::redis),
            row("tcp", this::tcp),
            row("disk", this::disk),
            row("file_age", this::fileAge),
            row("command", this::command));

    CheckBinder(Values values) {
        this.values = values;
    }

    CheckSpec check(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        Type type = f.select("type", types, "the check type");
        if (type == null) {
            return null; // without a type we cannot tell which keys belong here
        }
        Duration interval = f.opt("interval", values.positiveDuration(), Defaults.CHECK_INTERVAL);
        Duration timeout = f.opt("timeout", values.positiveDuration(), Defaults.checkTimeout(interval));
        int rise = f.opt("rise", values.integer(1, 1000), Defaults.RISE);
        int fall = f.opt("fall", values.integer(1, 1000), Defaults.FALL);
        boolean notify = f.opt("notify", values::bool, Defaults.CHECK_NOTIFY);
        CheckTiming timing = new CheckTiming(interval, timeout, rise, fall, notify);
        values.binding.checkTimings.put(path, timing); // for the timing rule, even when the check does not bind
        return type.bind(f, timing);
    }

    private CheckSpec http(Fields f, CheckTiming timing) {
        URI url = f.req("url", values.url(), "the URL to GET, like \"http://127.0.0.1:8080/healthz\"");
        List<StatusRange> expect = f.opt("expect_status", values.list(this::statusRange, false),
                Defaults.HTTP_EXPECT_STATUS);
        Optional<String> body = f.opt("expect_body", values::string);
        Optional<String> regex = f.opt("expect_body_regex", values::regex);
        boolean tlsVerify = f.opt("tls_verify", values::bool, true);
        return f.done(() -> new CheckSpec.Http(url, expect, body, regex, tlsVerify, timing));
    }

    private CheckSpec redis(Fields f, CheckTiming timing) {
        String host = f.opt("host", values::host, Defaults.REDIS_HOST);
        int port = f.opt("port", values.port(), Defaults.REDIS_PORT);
        Optional<Secret> password = values.secret(f, "password");
        return f.done(() -> new CheckSpec.Redis(host, port, password, timing));
    }

    private CheckSpec tcp(Fields f, CheckTiming timing) {
        HostPort address = f.req("address", values::hostPort, "host:port to connect to, like \"127.0.0.1:9000\"");
        return f.done(() -> new CheckSpec.Tcp(address, timing));
    }

    private CheckSpec disk(Fields f, CheckTiming timing) {
        Path p = f.req("path", values.absolutePath(), "a path on the filesystem to watch, like /");
        int max = f.opt("max_used_percent", values.integer(1, 100), Defaults.DISK_MAX_USED_PERCENT);
        return f.done(() -> new CheckSpec.Disk(p, max, timing));
    }

    private CheckSpec fileAge(Fields f, CheckTiming timing) {
        Path p = f.req("path", values.absolutePath(), "the file that must keep being written");
        Duration maxAge = f.req("max_age", values.positiveDuration(), "how old the file may get, like 5m");
        return f.done(() -> new CheckSpec.FileAge(p, maxAge, timing));
    }

    private CheckSpec command(Fields f, CheckTiming timing) {
        List<String> cmd = f.req("command", values.command(), "the command as a list, like [\"/usr/local/bin/check-foo\"]");
        return f.done(() -> new CheckSpec.Command(cmd, timing));
    }

    private StatusRange statusRange(YamlNode n, String path) {
        String s = values.scalarText(n, path);
        if (s == null) {
            return null;
        }
        String[] parts = s.split("-", -1);
        try {
            int from = Integer.parseInt(parts[0].strip());
            int to = parts.length == 2 ? Integer.parseInt(parts[1].strip()) : from;
            if (parts.length > 2 || from < 100 || to > 599 || from > to) {
                throw new NumberFormatException();
            }
            return new StatusRange(from, to);
        } catch (NumberFormatException e) {
            return values.bad(Rule.VALUE_RANGE, n, path,
                    "'" + s + "' is not an HTTP status or range; use 100-599, like 200 or \"200-299\"");
        }
    }
}
