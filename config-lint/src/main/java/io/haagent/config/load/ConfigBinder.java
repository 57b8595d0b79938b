package io.haagent.config.load;

import io.haagent.config.AwsId;
import io.haagent.config.CheckSpec;
import io.haagent.config.CheckSpec.CheckTiming;
import io.haagent.config.CheckSpec.StatusRange;
import io.haagent.config.Cidr;
import io.haagent.config.Defaults;
import io.haagent.config.Durations;
import io.haagent.config.HaagentConfig;
import io.haagent.config.HostPort;
import io.haagent.config.Ipv4;
import io.haagent.config.MailConfig;
import io.haagent.config.NodeConfig;
import io.haagent.config.ScalerPush;
import io.haagent.config.Secret;
import io.haagent.config.ServiceSpec;
import io.haagent.config.VrrpInstance;
import io.haagent.config.ZookeeperConfig;
import io.haagent.config.load.Fields.Conv;
import io.haagent.config.load.YamlNode.Entry;
import io.haagent.config.load.YamlNode.Mapping;
import io.haagent.config.load.YamlNode.Scalar;
import io.haagent.config.load.YamlNode.Sequence;
import io.haagent.lint.finding.DidYouMean;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The first pass: binds the YAML tree to config records and reports every single-field problem
 * (types, ranges, formats, unknown and missing keys). Cross-field rules run afterwards on the
 * result. An object with a missing or bad required value is left out of the result, but its name
 * is still declared, so that references to it are not reported as dangling.
 */
final class ConfigBinder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s<>]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}|[^@\\s<>]+@localhost");
    private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9:_.@\\\\-]+");

    final Findings findings;
    final SourceMap source = new SourceMap();
    final Declared declared = new Declared();
    final List<FileRef> files = new ArrayList<>();

    ConfigBinder(Findings findings) {
        this.findings = findings;
    }

    // ---------------------------------------------------------------- top level

    HaagentConfig bind(YamlNode root, boolean reportEmpty) {
        Mapping top = root == null ? new Mapping(Location.START, List.of()) : asMapping(root, "", "the top level");
        if (reportEmpty && top != null && top.entries().isEmpty()) {
            findings.add(Rule.CONFIG_EMPTY, top.at(), "the file configures nothing; add checks, services or vrrp");
        }
        if (top == null) {
            top = new Mapping(Location.START, List.of());
        }
        Fields f = new Fields(this, top, "", Location.START);
        NodeConfig node = f.opt("node", this::node, null);
        if (node == null) {
            node = node(new Mapping(Location.START, List.of()), "node");
        }
        Map<String, CheckSpec> checks = f.opt("checks", named(declared.checks, this::check), Map.of());
        Map<String, ServiceSpec> services = f.opt("services", named(declared.services, this::service), Map.of());
        Map<String, VrrpInstance> vrrp = f.opt("vrrp", named(declared.vrrp, this::vrrp), Map.of());
        Optional<MailConfig> mail = f.opt("notify", section(nf -> nf.opt("mail", this::mail))).flatMap(o -> o);
        Optional<ScalerPush> scaler = f.opt("scaler", section(sf -> sf.opt("push", this::scalerPush))).flatMap(o -> o);
        Optional<ZookeeperConfig> zk = f.opt("coordination", section(cf -> cf.opt("zookeeper", this::zookeeper)))
                .flatMap(o -> o);
        f.finish();
        return new HaagentConfig(node, checks, services, vrrp, mail, scaler, zk);
    }

    /** A mapping whose only job is to hold one sub-section ({@code notify:}, {@code scaler:}, {@code coordination:}). */
    private <T> Conv<T> section(Function<Fields, T> body) {
        return (n, path) -> {
            Mapping m = asMappingOrEmpty(n, path);
            if (m == null) {
                return null;
            }
            Fields f = new Fields(this, m, path, source.keyAt(path));
            T v = body.apply(f);
            f.finish();
            return v;
        };
    }

    /** A mapping of name → object; every name is validated and declared, bad objects are left out. */
    private <T> Conv<Map<String, T>> named(Set<String> declaredNames, Conv<T> conv) {
        return (n, path) -> {
            Mapping m = asMappingOrEmpty(n, path);
            if (m == null) {
                return null;
            }
            Map<String, T> out = new LinkedHashMap<>();
            for (Entry e : m.entries()) {
                String p = path + "." + e.key();
                source.put(p, e.keyAt(), e.value().at());
                declaredNames.add(e.key());
                if (!NAME.matcher(e.key()).matches()) {
                    findings.add(Rule.VALUE_NAME, e.keyAt(), path + ": '" + e.key() + "' is not a usable name; use "
                            + "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63");
                    continue;
                }
                T v = conv.apply(e.value(), p);
                if (v != null) {
                    out.put(e.key(), v);
                }
            }
            return Collections.unmodifiableMap(out);
        };
    }

    /** Opens an object's mapping; null after a finding when the node is not a mapping. */
    private Fields object(YamlNode n, String path) {
        Mapping m = asMappingOrEmpty(n, path);
        return m == null ? null : new Fields(this, m, path, source.keyAt(path));
    }

    /** Closes an object: reports unknown keys; returns the built value unless a required part failed. */
    private static <T> T done(Fields f, java.util.function.Supplier<T> build) {
        f.finish();
        return f.failed() ? null : build.get();
    }

    // ---------------------------------------------------------------- node

    private NodeConfig node(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        Optional<String> name = f.opt("name", this::name);
        NodeConfig.Admin admin = f.opt("admin", (an, ap) -> {
            Fields a = object(an, ap);
            if (a == null) {
                return null;
            }
            HostPort listen = a.opt("listen", this::hostPort, Defaults.ADMIN_LISTEN);
            Optional<Path> token = a.opt("token_file", secretFile());
            a.finish();
            return new NodeConfig.Admin(listen, token);
        }, new NodeConfig.Admin(Defaults.ADMIN_LISTEN, Optional.empty()));
        Path stateDir = f.opt("state_dir", absolutePath(), Defaults.STATE_DIR);
        NodeConfig.RestartBudget budget = f.opt("restart_budget", (bn, bp) -> {
            Fields b = object(bn, bp);
            if (b == null) {
                return null;
            }
            int max = b.opt("max_restarts", integer(1, 100_000), Defaults.BUDGET_MAX_RESTARTS);
            Duration within = b.opt("within", positiveDuration(), Defaults.BUDGET_WITHIN);
            b.finish();
            return new NodeConfig.RestartBudget(max, within);
        }, new NodeConfig.RestartBudget(Defaults.BUDGET_MAX_RESTARTS, Defaults.BUDGET_WITHIN));
        f.finish();
        return new NodeConfig(name, admin, stateDir, budget);
    }

    // ---------------------------------------------------------------- checks

    private static final List<String> CHECK_TYPES = List.of("http", "redis", "tcp", "disk", "file_age", "command");

    private CheckSpec check(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        String type = f.req("type", word(CHECK_TYPES), "the check type: one of " + String.join(", ", CHECK_TYPES));
        if (type == null) {
            return null; // without a type we cannot tell which keys belong here
        }
        Duration interval = f.opt("interval", positiveDuration(), Defaults.CHECK_INTERVAL);
        Duration timeout = f.opt("timeout", positiveDuration(), Defaults.checkTimeout(interval));
        int rise = f.opt("rise", integer(1, 1000), Defaults.RISE);
        int fall = f.opt("fall", integer(1, 1000), Defaults.FALL);
        CheckTiming timing = new CheckTiming(interval, timeout, rise, fall);
        return switch (type) {
            case "http" -> {
                URI url = f.req("url", url(), "the URL to GET, like \"http://127.0.0.1:8080/healthz\"");
                List<StatusRange> expect = f.opt("expect_status", list(this::statusRange, false), Defaults.HTTP_EXPECT_STATUS);
                Optional<String> body = f.opt("expect_body", this::string);
                Optional<String> regex = f.opt("expect_body_regex", this::regex);
                boolean tlsVerify = f.opt("tls_verify", this::bool, true);
                yield done(f, () -> new CheckSpec.Http(url, expect, body, regex, tlsVerify, timing));
            }
            case "redis" -> {
                String host = f.opt("host", this::host, Defaults.REDIS_HOST);
                int port = f.opt("port", port(), Defaults.REDIS_PORT);
                Optional<Secret> password = secret(f, "password");
                yield done(f, () -> new CheckSpec.Redis(host, port, password, timing));
            }
            case "tcp" -> {
                HostPort address = f.req("address", this::hostPort, "host:port to connect to, like \"127.0.0.1:9000\"");
                yield done(f, () -> new CheckSpec.Tcp(address, timing));
            }
            case "disk" -> {
                Path p = f.req("path", absolutePath(), "a path on the filesystem to watch, like /");
                int max = f.opt("max_used_percent", integer(1, 100), Defaults.DISK_MAX_USED_PERCENT);
                yield done(f, () -> new CheckSpec.Disk(p, max, timing));
            }
            case "file_age" -> {
                Path p = f.req("path", absolutePath(), "the file that must keep being written");
                Duration maxAge = f.req("max_age", positiveDuration(), "how old the file may get, like 5m");
                yield done(f, () -> new CheckSpec.FileAge(p, maxAge, timing));
            }
            case "command" -> {
                List<String> cmd = f.req("command", command(), "the command as a list, like [\"/usr/local/bin/check-foo\"]");
                yield done(f, () -> new CheckSpec.Command(cmd, timing));
            }
            default -> throw new AssertionError(type);
        };
    }

    private StatusRange statusRange(YamlNode n, String path) {
        String s = scalarText(n, path);
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
            return bad(Rule.VALUE_RANGE, n, path, "'" + s + "' is not an HTTP status or range; use 100-599, like 200 or \"200-299\"");
        }
    }

    // ---------------------------------------------------------------- services

    private ServiceSpec service(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        List<String> checks = f.opt("checks", list(this::string, false), List.of());
        String meansKey = f.oneOf("process", "systemd", "restart_command");
        Optional<ServiceSpec.RestartMeans> means = Optional.empty();
        if (meansKey != null) {
            means = Optional.ofNullable(switch (meansKey) {
                case "process" -> f.req("process", this::process, "");
                case "systemd" -> f.req("systemd", (sn, sp) -> {
                    Fields s = object(sn, sp);
                    if (s == null) {
                        return null;
                    }
                    String unit = s.req("unit", this::unit, "the unit to restart, like app.service");
                    return done(s, () -> new ServiceSpec.Systemd(unit));
                }, "");
                case "restart_command" -> f.req("restart_command", (cn, cp) -> {
                    List<String> c = command().apply(cn, cp);
                    return c == null ? null : new ServiceSpec.RestartCommand(c);
                }, "");
                default -> throw new AssertionError(meansKey);
            });
        }
        ServiceSpec.RestartPolicy restart = f.opt("restart", this::restartPolicy, defaultRestartPolicy());
        Optional<ServiceSpec.Escalation> escalate = f.opt("escalate", (en, ep) -> escalation(en, ep, restart));
        List<String> dependsOn = f.opt("depends_on", list(this::string, false), List.of());
        Optional<ServiceSpec.RestartMeans> m = means;
        return done(f, () -> new ServiceSpec(checks, m, restart, escalate, dependsOn));
    }

    private static ServiceSpec.RestartPolicy defaultRestartPolicy() {
        return new ServiceSpec.RestartPolicy(new ServiceSpec.Backoff(Defaults.BACKOFF_INITIAL, Defaults.BACKOFF_MAX),
                Defaults.MAX_RESTARTS, Defaults.RESTART_WITHIN, Optional.empty());
    }

    private ServiceSpec.Process process(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        List<String> cmd = f.req("command", command(), "the command as a list, like [\"/usr/bin/java\", \"-jar\", \"/srv/app.jar\"]");
        Optional<Path> workdir = f.opt("workdir", dir());
        Map<String, String> env = f.opt("env", this::stringMap, Map.of());
        ServiceSpec.StopSignal signal = f.opt("stop_signal", (sn, sp) -> {
            String s = scalarText(sn, sp);
            if (s == null) {
                return null;
            }
            String bare = s.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
            List<String> names = java.util.Arrays.stream(ServiceSpec.StopSignal.values()).map(Enum::name).toList();
            if (!names.contains(bare)) {
                return bad(Rule.VALUE_ENUM, sn, sp, "'" + s + "' is not a stop signal" + DidYouMean.hint(bare, names));
            }
            return ServiceSpec.StopSignal.valueOf(bare);
        }, Defaults.STOP_SIGNAL);
        Duration stopTimeout = f.opt("stop_timeout", positiveDuration(), Defaults.STOP_TIMEOUT);
        Duration startGrace = f.opt("start_grace", duration(), Defaults.START_GRACE);
        return done(f, () -> new ServiceSpec.Process(cmd, workdir, env, signal, stopTimeout, startGrace));
    }

    private ServiceSpec.RestartPolicy restartPolicy(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        ServiceSpec.Backoff backoff = f.opt("backoff", (bn, bp) -> {
            Fields b = object(bn, bp);
            if (b == null) {
                return null;
            }
            Duration initial = b.opt("initial", positiveDuration(), Defaults.BACKOFF_INITIAL);
            Duration max = b.opt("max", positiveDuration(), Defaults.BACKOFF_MAX);
            if (initial.compareTo(max) > 0) {
                findings.add(Rule.VALUE_ORDER, source.at(bp + ".initial"), bp + ": initial (" + Durations.format(initial)
                        + ") is above max (" + Durations.format(max) + "); make initial <= max");
            }
            b.finish();
            return new ServiceSpec.Backoff(initial, max);
        }, new ServiceSpec.Backoff(Defaults.BACKOFF_INITIAL, Defaults.BACKOFF_MAX));
        int max = f.opt("max_restarts", integer(1, 100_000), Defaults.MAX_RESTARTS);
        Duration within = f.opt("within", positiveDuration(), Defaults.RESTART_WITHIN);
        Optional<Duration> rearm = f.opt("rearm_after", positiveDuration());
        f.finish();
        return new ServiceSpec.RestartPolicy(backoff, max, within, rearm);
    }

    private static final List<String> VM_TYPES = List.of("libvirt", "xen", "ec2", "command");

    private ServiceSpec.Escalation escalation(YamlNode n, String path, ServiceSpec.RestartPolicy restart) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        int after = f.opt("after", integer(1, 100_000), restart.maxRestarts());
        ServiceSpec.VmRestart vm = f.req("vm", (vn, vp) -> {
            Fields v = object(vn, vp);
            if (v == null) {
                return null;
            }
            String type = v.req("type", word(VM_TYPES), "how to restart the VM: one of " + String.join(", ", VM_TYPES));
            if (type == null) {
                return null;
            }
            return switch (type) {
                case "libvirt" -> {
                    String domain = v.req("domain", this::nonEmpty, "the libvirt domain name");
                    Optional<String> uri = v.opt("uri", this::nonEmpty);
                    yield done(v, () -> new ServiceSpec.Libvirt(domain, uri));
                }
                case "xen" -> {
                    String domain = v.req("domain", this::nonEmpty, "the Xen domain name");
                    Path config = v.req("config", absolutePath(), "the domain's config file for 'xl create'");
                    yield done(v, () -> new ServiceSpec.Xen(domain, config));
                }
                case "ec2" -> {
                    Optional<AwsId> id = v.opt("instance_id", awsId(AwsId::instance));
                    ServiceSpec.Ec2Mode mode = v.opt("mode", (mn, mp) -> {
                        String w = word(List.of("reboot", "stop_start")).apply(mn, mp);
                        return w == null ? null : ServiceSpec.Ec2Mode.valueOf(w.toUpperCase(Locale.ROOT));
                    }, ServiceSpec.Ec2Mode.REBOOT);
                    Optional<String> region = v.opt("region", this::nonEmpty);
                    Optional<URI> endpoint = v.opt("endpoint", url());
                    yield done(v, () -> new ServiceSpec.Ec2(id, mode, region, endpoint));
                }
                case "command" -> {
                    List<String> cmd = v.req("command", command(), "the command that restarts the VM, as a list");
                    yield done(v, () -> new ServiceSpec.CommandVm(cmd));
                }
                default -> throw new AssertionError(type);
            };
        }, "the VM to restart, like { type: libvirt, domain: web01 }");
        return done(f, () -> new ServiceSpec.Escalation(after, vm));
    }

    // ---------------------------------------------------------------- vrrp

    private VrrpInstance vrrp(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        // A bad vrid keeps the instance (as vrid 0, which no rule pairs) so that its other problems are reported too.
        Integer vrid = f.has("vrid") ? f.opt("vrid", integer(1, 255), VrrpInstance.INVALID_VRID)
                : f.req("vrid", integer(1, 255), "the virtual router id, 1-255, the same on both ends of the pair");
        int priority = f.opt("priority", integer(1, 254, " (255 is reserved for the address owner)"), Defaults.VRRP_PRIORITY);
        Duration advert = f.opt("advert_interval", positiveDuration(), Defaults.ADVERT_INTERVAL);
        int version = f.opt("version", integer(2, 3), Defaults.VRRP_VERSION);
        VrrpInstance.Transport transport = f.opt("transport", (tn, tp) -> {
            String w = word(List.of("ip", "udp")).apply(tn, tp);
            return w == null ? null : VrrpInstance.Transport.valueOf(w.toUpperCase(Locale.ROOT));
        }, Defaults.TRANSPORT);
        Optional<String> iface = f.opt("interface", this::iface);
        VrrpInstance.Unicast unicast = f.req("unicast", this::unicast,
                "unicast: { source: <this host's address>, peers: [<the other host's address>] }");
        boolean preempt = f.opt("preempt", this::bool, Defaults.PREEMPT);
        Duration preemptDelay = f.opt("preempt_delay", duration(), Defaults.PREEMPT_DELAY);
        Duration startupDelay = f.opt("startup_delay", duration(), Defaults.startupDelay(advert));
        List<VrrpInstance.Track> track = f.opt("track", list(this::track, false), List.of());
        VrrpInstance.Auth auth = f.opt("auth", this::auth, new VrrpInstance.NoAuth());
        VrrpInstance.OnMaster onMaster = f.opt("on_master", this::onMaster,
                new VrrpInstance.OnMaster(Optional.empty(), Optional.empty()));
        VrrpInstance.OnBackup onBackup = f.opt("on_backup", this::onBackup, new VrrpInstance.OnBackup(Optional.empty()));
        List<Ipv4> addresses = f.opt("addresses", this::advertAddresses, Defaults.advertAddresses(onMaster));
        List<String> notify = f.opt("notify", list(program(), false), List.of());
        Duration notifyTimeout = f.opt("notify_timeout", positiveDuration(), Defaults.NOTIFY_TIMEOUT);
        return done(f, () -> new VrrpInstance(vrid, priority, advert, version, transport, iface, unicast, addresses,
                preempt, preemptDelay, startupDelay, track, auth, onMaster, onBackup, notify, notifyTimeout));
    }

    /** RFC 3768 §5.3.5 / RFC 5798 §5.2.5: the advert counts its addresses in one byte. */
    private static final int MAX_ADVERT_ADDRESSES = 255;

    private List<Ipv4> advertAddresses(YamlNode n, String path) {
        List<Ipv4> l = list(this::ipv4, false).apply(n, path);
        if (l != null && l.size() > MAX_ADVERT_ADDRESSES) {
            return bad(Rule.VALUE_RANGE, n, path, l.size() + " addresses do not fit an advert, which counts them in one "
                    + "byte; list at most " + MAX_ADVERT_ADDRESSES);
        }
        return l;
    }

    private VrrpInstance.Unicast unicast(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        Ipv4 src = f.req("source", this::ipv4, "this host's address that adverts are sent from, like 10.0.1.10");
        List<VrrpInstance.Peer> peers = f.req("peers", list(this::peer, true),
                "the other end's address as a list, like [10.0.1.11]");
        Optional<Integer> port = f.opt("port", port());
        int minTtl = f.opt("min_ttl", integer(1, 255), Defaults.VRRP_MIN_TTL);
        return done(f, () -> new VrrpInstance.Unicast(src, peers, port, minTtl));
    }

    private VrrpInstance.Peer peer(YamlNode n, String path) {
        String s = scalarText(n, path);
        if (s == null) {
            return null;
        }
        try {
            int colon = s.indexOf(':');
            if (colon < 0) {
                return new VrrpInstance.Peer(Ipv4.parse(s), Optional.empty());
            }
            HostPort hp = HostPort.parse(s);
            return new VrrpInstance.Peer(Ipv4.parse(hp.host()), Optional.of(hp.port()));
        } catch (IllegalArgumentException e) {
            return bad(Rule.VALUE_ADDRESS, n, path, e.getMessage());
        }
    }

    private VrrpInstance.Track track(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        String check = f.req("check", this::string, "the name of the check to track");
        int weight = f.opt("weight", integer(-254, 254, "; 0 means FAULT while the check is down"), Defaults.TRACK_WEIGHT);
        return done(f, () -> new VrrpInstance.Track(check, weight));
    }

    private static final List<String> AUTH_TYPES = List.of("none", "pass", "hmac");

    private VrrpInstance.Auth auth(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        String type = f.req("type", word(AUTH_TYPES), "the auth type: one of " + String.join(", ", AUTH_TYPES));
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "none" -> done(f, VrrpInstance.NoAuth::new);
            case "pass" -> {
                Optional<Secret> pass = secret(f, "password");
                if (pass.isEmpty() && !f.failed()) {
                    f.fail();
                    findings.add(Rule.SCHEMA_MISSING_KEY, f.owner(), path + ": missing 'password_file'; "
                            + "add the file holding the password (at most 8 characters, as keepalived's auth_pass)");
                }
                yield done(f, () -> new VrrpInstance.PassAuth(pass.orElseThrow()));
            }
            case "hmac" -> {
                Optional<Secret> secret = secret(f, "secret");
                if (secret.isEmpty() && !f.failed()) {
                    f.fail();
                    findings.add(Rule.SCHEMA_MISSING_KEY, f.owner(), path + ": missing 'secret_file'; "
                            + "add the file holding the shared HMAC key (the same file content on both ends)");
                }
                yield done(f, () -> new VrrpInstance.HmacAuth(secret.orElseThrow()));
            }
            default -> throw new AssertionError(type);
        };
    }

    private VrrpInstance.OnMaster onMaster(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        Optional<VrrpInstance.RedisPromote> promote = f.opt("redis_promote", (pn, pp) -> {
            Fields p = object(pn, pp);
            if (p == null) {
                return null;
            }
            String host = p.opt("host", this::host, Defaults.REDIS_HOST);
            int port = p.opt("port", port(), Defaults.REDIS_PORT);
            Optional<Secret> password = secret(p, "password");
            boolean rewrite = p.opt("config_rewrite", this::bool, Defaults.CONFIG_REWRITE);
            Duration maxLinkDown = p.opt("max_link_down", positiveDuration(), Defaults.MAX_LINK_DOWN);
            return done(p, () -> new VrrpInstance.RedisPromote(host, port, password, rewrite, maxLinkDown));
        });
        Optional<VrrpInstance.AddressMove> address = f.opt("address", this::address);
        return done(f, () -> new VrrpInstance.OnMaster(promote, address));
    }

    private VrrpInstance.AddressMove address(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        String kind = f.oneOf("eni", "secondary_ip", "local");
        if (kind == null) {
            findings.add(Rule.SCHEMA_MISSING_KEY, f.owner(), path + ": no address mover; add one of "
                    + "eni: {...}, secondary_ip: {...} or local: {...}, or remove 'address'");
            f.finish();
            return null;
        }
        VrrpInstance.AddressMove move = f.req(kind, (an, ap) -> {
            Fields a = object(an, ap);
            if (a == null) {
                return null;
            }
            return switch (kind) {
                case "eni" -> {
                    AwsId id = a.req("id", awsId(AwsId::eni), "the ENI to move, like eni-0123456789abcdef0");
                    Integer index = a.req("device_index", integer(1, 31, "; 0 is the primary ENI, which cannot move"),
                            "the device index to attach at, like 1");
                    Optional<String> region = a.opt("region", this::nonEmpty);
                    Optional<URI> endpoint = a.opt("endpoint", url());
                    Duration force = a.opt("force_detach_after", positiveDuration(), Defaults.FORCE_DETACH_AFTER);
                    yield done(a, () -> new VrrpInstance.Eni(id, index, region, endpoint, force));
                }
                case "secondary_ip" -> {
                    Ipv4 ip = a.req("ip", this::ipv4, "the secondary private IP, like 10.0.1.100");
                    AwsId eni = a.req("eni", awsId(AwsId::eni), "this instance's ENI that takes the IP");
                    Optional<String> iface = a.opt("interface", this::iface);
                    Optional<String> region = a.opt("region", this::nonEmpty);
                    Optional<URI> endpoint = a.opt("endpoint", url());
                    yield done(a, () -> new VrrpInstance.SecondaryIp(ip, eni, iface, region, endpoint));
                }
                case "local" -> {
                    Cidr ip = a.req("ip", this::cidr, "the address with prefix length, like 10.0.1.100/24");
                    String iface = a.req("interface", this::iface, "the interface to add the address on, like eth0");
                    yield done(a, () -> new VrrpInstance.LocalAddress(ip, iface));
                }
                default -> throw new AssertionError(kind);
            };
        }, "");
        return done(f, () -> move);
    }

    private VrrpInstance.OnBackup onBackup(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        Optional<VrrpInstance.RedisReplicate> replicate = f.opt("redis_replicate", (rn, rp) -> {
            Fields r = object(rn, rp);
            if (r == null) {
                return null;
            }
            String host = r.opt("host", this::host, Defaults.REDIS_HOST);
            int port = r.opt("port", port(), Defaults.REDIS_PORT);
            int masterPort = r.opt("master_port", port(), port);
            Optional<Secret> password = secret(r, "password");
            boolean rewrite = r.opt("config_rewrite", this::bool, Defaults.CONFIG_REWRITE);
            return done(r, () -> new VrrpInstance.RedisReplicate(host, port, masterPort, password, rewrite));
        });
        return done(f, () -> new VrrpInstance.OnBackup(replicate));
    }

    // ---------------------------------------------------------------- notify, scaler, coordination

    private MailConfig mail(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        MailConfig.Smtp smtp = f.req("smtp", (sn, sp) -> {
            Fields s = object(sn, sp);
            if (s == null) {
                return null;
            }
            String host = s.req("host", this::host, "the SMTP server, like smtp.example.com");
            int port = s.opt("port", port(), Defaults.SMTP_PORT);
            boolean starttls = s.opt("starttls", this::bool, Defaults.SMTP_STARTTLS);
            Optional<String> user = s.opt("username", this::nonEmpty);
            Optional<Secret> password = secret(s, "password");
            return done(s, () -> new MailConfig.Smtp(host, port, starttls, user, password));
        }, "smtp: { host: ..., port: 587 }");
        String from = f.req("from", this::email, "the sender address, like haagent@example.com");
        List<String> to = f.opt("to", list(this::email, false), null);
        boolean toIsBad = to == null && source.has(path + ".to");
        if (to == null) {
            to = List.of();
        }
        if (to.isEmpty() && !toIsBad) {
            findings.add(Rule.MAIL_NO_RECIPIENTS, source.has(path + ".to") ? source.at(path + ".to") : f.owner(),
                    path + ": no recipients; add to: [ops@example.com], or remove notify.mail to send no mail");
        }
        Set<MailConfig.MailEvent> events = f.opt("events", (en, ep) -> {
            List<String> words = list(word(eventWords()), false).apply(en, ep);
            if (words == null) {
                return null;
            }
            Set<MailConfig.MailEvent> set = EnumSet.noneOf(MailConfig.MailEvent.class);
            words.forEach(w -> set.add(MailConfig.MailEvent.valueOf(w.toUpperCase(Locale.ROOT))));
            return Collections.unmodifiableSet(set);
        }, Collections.unmodifiableSet(EnumSet.allOf(MailConfig.MailEvent.class)));
        List<String> recipients = to;
        return done(f, () -> new MailConfig(smtp, from, recipients, events));
    }

    private static List<String> eventWords() {
        return java.util.Arrays.stream(MailConfig.MailEvent.values()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    }

    private ScalerPush scalerPush(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        Duration interval = f.opt("interval", positiveDuration(), Defaults.PUSH_INTERVAL);
        String role = f.req("role", this::name, "the fleet role this host serves, like web");
        ScalerPush.Sink sink = f.req("sink", (sn, sp) -> {
            Fields s = object(sn, sp);
            if (s == null) {
                return null;
            }
            String kind = s.oneOf("http", "redis", "zookeeper");
            if (kind == null) {
                findings.add(Rule.SCHEMA_MISSING_KEY, s.owner(), sp + ": no sink; add one of http: { url: ... }, "
                        + "redis: { host: ..., key: ... } or zookeeper: { path: ... }");
                s.finish();
                return null;
            }
            ScalerPush.Sink chosen = s.req(kind, (kn, kp) -> {
                Fields k = object(kn, kp);
                if (k == null) {
                    return null;
                }
                return switch (kind) {
                    case "http" -> {
                        URI url = k.req("url", url(), "the scaler's load URL");
                        yield done(k, () -> new ScalerPush.HttpSink(url));
                    }
                    case "redis" -> {
                        String host = k.req("host", this::host, "the Redis server holding the load hashes");
                        int port = k.opt("port", port(), Defaults.REDIS_PORT);
                        Optional<Secret> password = secret(k, "password");
                        String key = k.opt("key", this::nonEmpty, Defaults.REDIS_SINK_KEY);
                        Duration ttl = k.opt("ttl", positiveDuration(), Defaults.redisSinkTtl(interval));
                        yield done(k, () -> new ScalerPush.RedisSink(host, port, password, key, ttl));
                    }
                    case "zookeeper" -> {
                        String zpath = k.req("path", this::znodePath, "the parent znode, like /scaler/load");
                        yield done(k, () -> new ScalerPush.ZookeeperSink(zpath));
                    }
                    default -> throw new AssertionError(kind);
                };
            }, "");
            return done(s, () -> chosen);
        }, "sink: { http: { url: ... } }");
        return done(f, () -> new ScalerPush(interval, role, sink));
    }

    private ZookeeperConfig zookeeper(YamlNode n, String path) {
        Fields f = object(n, path);
        if (f == null) {
            return null;
        }
        List<HostPort> connect = f.req("connect", (cn, cp) -> {
            String s = nonEmpty(cn, cp);
            if (s == null) {
                return null;
            }
            List<HostPort> out = new ArrayList<>();
            for (String part : s.split(",")) {
                try {
                    out.add(HostPort.parse(part.strip()));
                } catch (IllegalArgumentException e) {
                    return bad(Rule.VALUE_ADDRESS, cn, cp, e.getMessage() + " (connect is a comma-separated list of host:port)");
                }
            }
            return List.copyOf(out);
        }, "the ensemble as \"zk1:2181,zk2:2181,zk3:2181\"");
        Duration session = f.opt("session_timeout", positiveDuration(), Defaults.ZK_SESSION_TIMEOUT);
        List<String> leaseFor = f.opt("lease_for", list(this::string, false), List.of());
        return done(f, () -> new ZookeeperConfig(connect, session, leaseFor));
    }

    // ---------------------------------------------------------------- secrets

    /**
     * Reads {@code key} (inline, warned) or {@code key_file}. Inline is accepted so that a config
     * in transition still works, but the lint says where the secret should go.
     */
    private Optional<Secret> secret(Fields f, String key) {
        String fileKey = key + "_file";
        String which = f.oneOf(key, fileKey);
        if (which == null) {
            return Optional.empty();
        }
        if (which.equals(key)) {
            String v = f.opt(key, this::nonEmpty, null);
            if (v == null) {
                return Optional.empty();
            }
            findings.add(Rule.SECRET_INLINE, source.at(f.path(key)), f.path(key) + ": a secret written into the config; "
                    + "put it in a file only haagent can read (chmod 600) and use " + fileKey + " instead");
            return Optional.of(new Secret.Inline(v));
        }
        return f.opt(fileKey, secretFile()).map(Secret.FromFile::new);
    }

    // ---------------------------------------------------------------- value converters

    private Mapping asMapping(YamlNode n, String path, String what) {
        if (n instanceof Mapping m) {
            return m;
        }
        findings.add(Rule.SCHEMA_TYPE, n.at(), (path.isEmpty() ? what : path) + ": expected a mapping (key: value lines), found "
                + describe(n));
        return null;
    }

    /** An absent-valued key ({@code checks:} with nothing under it) reads as an empty mapping. */
    private Mapping asMappingOrEmpty(YamlNode n, String path) {
        if (n instanceof Scalar s && s.isNull()) {
            return new Mapping(s.at(), List.of());
        }
        return asMapping(n, path, path);
    }

    private static String describe(YamlNode n) {
        return switch (n) {
            case Scalar s when s.isNull() -> "nothing";
            case Scalar s -> "'" + abbreviate(s.text()) + "'";
            case Sequence q -> "a list";
            case Mapping m -> "a mapping";
        };
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    <T> T bad(Rule rule, YamlNode n, String path, String message) {
        findings.add(rule, n.at(), path + ": " + message);
        return null;
    }

    /** The text of a scalar; a finding for mappings, lists and empty values. */
    private String scalarText(YamlNode n, String path) {
        if (n instanceof Scalar s) {
            if (s.isNull()) {
                return bad(Rule.VALUE_EMPTY, n, path, "has no value; write one, or remove the key to use the default");
            }
            return s.text();
        }
        return bad(Rule.SCHEMA_TYPE, n, path, "expected a single value, found " + describe(n));
    }

    private String string(YamlNode n, String path) {
        return scalarText(n, path);
    }

    private String nonEmpty(YamlNode n, String path) {
        String s = scalarText(n, path);
        if (s != null && s.isBlank()) {
            return bad(Rule.VALUE_EMPTY, n, path, "is empty; write a value, or remove the key");
        }
        return s;
    }

    private String name(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s != null && !NAME.matcher(s).matches()) {
            return bad(Rule.VALUE_NAME, n, path, "'" + abbreviate(s) + "' is not a usable name; use letters, digits, '-', '_' "
                    + "and '.', starting with a letter or digit, at most 63");
        }
        return s;
    }

    private String iface(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s != null && !IFACE.matcher(s).matches()) {
            return bad(Rule.VALUE_NAME, n, path, "'" + abbreviate(s) + "' is not an interface name; Linux names are at most 15 "
                    + "characters without spaces or '/', like eth0");
        }
        return s;
    }

    private String unit(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s != null && !UNIT.matcher(s).matches()) {
            return bad(Rule.VALUE_NAME, n, path, "'" + abbreviate(s) + "' is not a systemd unit name, like app.service");
        }
        return s;
    }

    private String host(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s == null) {
            return null;
        }
        try {
            if (!HostPort.isHost(s)) {
                throw new IllegalArgumentException("'" + abbreviate(s) + "' is not a host name or IPv4 address");
            }
            if (s.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
                Ipv4.parse(s);
            }
            return s;
        } catch (IllegalArgumentException e) {
            return bad(Rule.VALUE_ADDRESS, n, path, e.getMessage());
        }
    }

    private String email(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s != null && !EMAIL.matcher(s).matches()) {
            return bad(Rule.VALUE_EMAIL, n, path, "'" + abbreviate(s) + "' is not a mail address, like ops@example.com");
        }
        return s;
    }

    private String znodePath(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s != null && (!s.startsWith("/") || s.endsWith("/") || s.contains("//"))) {
            return bad(Rule.VALUE_PATH, n, path, "'" + abbreviate(s) + "' is not a znode path; write it like /scaler/load");
        }
        return s;
    }

    private String regex(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s == null) {
            return null;
        }
        try {
            Pattern.compile(s);
            return s;
        } catch (PatternSyntaxException e) {
            return bad(Rule.VALUE_REGEX, n, path, "'" + abbreviate(s) + "' does not compile: " + e.getDescription()
                    + " near index " + e.getIndex());
        }
    }

    private Boolean bool(YamlNode n, String path) {
        String s = scalarText(n, path);
        if (s == null) {
            return null;
        }
        if (n instanceof Scalar sc && !sc.string() && (s.equals("true") || s.equals("false"))) {
            return Boolean.valueOf(s);
        }
        return bad(Rule.SCHEMA_TYPE, n, path, "'" + abbreviate(s) + "' is not a boolean; write true or false");
    }

    private Conv<Integer> integer(int min, int max) {
        return integer(min, max, "");
    }

    private Conv<Integer> integer(int min, int max, String why) {
        return (n, path) -> {
            String s = scalarText(n, path);
            if (s == null) {
                return null;
            }
            long v;
            try {
                v = Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                return bad(Rule.SCHEMA_TYPE, n, path, "'" + abbreviate(s) + "' is not a whole number; use " + min + "-" + max);
            }
            if (v < min || v > max) {
                return bad(Rule.VALUE_RANGE, n, path, v + " is out of range; use " + min + "-" + max + why);
            }
            return (int) v;
        };
    }

    private Conv<Integer> port() {
        return integer(1, 65535);
    }

    private Conv<Duration> duration() {
        return (n, path) -> {
            String s = scalarText(n, path);
            if (s == null) {
                return null;
            }
            try {
                return Durations.parse(s);
            } catch (IllegalArgumentException e) {
                return bad(Rule.VALUE_DURATION, n, path, e.getMessage());
            }
        };
    }

    private Conv<Duration> positiveDuration() {
        return (n, path) -> {
            Duration d = duration().apply(n, path);
            if (d != null && d.isZero()) {
                return bad(Rule.VALUE_RANGE, n, path, "must be above zero");
            }
            return d;
        };
    }

    private Conv<String> word(List<String> allowed) {
        return (n, path) -> {
            String s = scalarText(n, path);
            if (s == null) {
                return null;
            }
            if (!allowed.contains(s)) {
                return bad(Rule.VALUE_ENUM, n, path, "'" + abbreviate(s) + "' is not allowed" + DidYouMean.hint(s, allowed));
            }
            return s;
        };
    }

    /** A value one of the config's value types parses; their exceptions say what was wrong and what is expected. */
    private <T> Conv<T> parsed(Function<String, T> parse, Rule rule) {
        return (n, path) -> {
            String s = nonEmpty(n, path);
            if (s == null) {
                return null;
            }
            try {
                return parse.apply(s);
            } catch (IllegalArgumentException e) {
                return bad(rule, n, path, e.getMessage());
            }
        };
    }

    private Ipv4 ipv4(YamlNode n, String path) {
        return parsed(Ipv4::parse, Rule.VALUE_ADDRESS).apply(n, path);
    }

    private Cidr cidr(YamlNode n, String path) {
        return parsed(Cidr::parse, Rule.VALUE_ADDRESS).apply(n, path);
    }

    private HostPort hostPort(YamlNode n, String path) {
        return parsed(HostPort::parse, Rule.VALUE_ADDRESS).apply(n, path);
    }

    private Conv<AwsId> awsId(Function<String, AwsId> parse) {
        return parsed(parse, Rule.VALUE_AWS_ID);
    }

    private Conv<URI> url() {
        return (n, path) -> {
            String s = nonEmpty(n, path);
            if (s == null) {
                return null;
            }
            try {
                URI u = new URI(s.strip());
                if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                        || u.getHost() == null) {
                    throw new URISyntaxException(s, "needs http:// or https:// and a host");
                }
                return u;
            } catch (URISyntaxException e) {
                return bad(Rule.VALUE_URL, n, path, "'" + abbreviate(s) + "' is not an http(s) URL; write it like "
                        + "\"http://127.0.0.1:8080/healthz\"");
            }
        };
    }

    private Conv<Path> absolutePath() {
        return (n, path) -> {
            String s = nonEmpty(n, path);
            if (s == null) {
                return null;
            }
            try {
                Path p = Path.of(s);
                if (!s.startsWith("/")) {
                    return bad(Rule.VALUE_PATH, n, path, "'" + abbreviate(s) + "' is relative; write an absolute path "
                            + "(the daemon's working directory is not the config's)");
                }
                return p;
            } catch (InvalidPathException e) {
                return bad(Rule.VALUE_PATH, n, path, "'" + abbreviate(s) + "' is not a usable path: " + e.getReason());
            }
        };
    }

    /** An absolute path to a secret; remembered for the file-mode and --host checks. */
    private Conv<Path> secretFile() {
        return (n, path) -> {
            Path p = absolutePath().apply(n, path);
            if (p != null) {
                files.add(new FileRef(path, p, FileRef.Kind.SECRET, n.at()));
            }
            return p;
        };
    }

    /** An absolute path to a directory that must exist on the host; remembered for --host. */
    private Conv<Path> dir() {
        return (n, path) -> {
            Path p = absolutePath().apply(n, path);
            if (p != null) {
                files.add(new FileRef(path, p, FileRef.Kind.DIRECTORY, n.at()));
            }
            return p;
        };
    }

    /** The absolute path of a program run without a shell (a notify hook); remembered for --host. */
    private Conv<String> program() {
        return (n, path) -> {
            Path p = absolutePath().apply(n, path);
            if (p == null) {
                return null;
            }
            files.add(new FileRef(path, p, FileRef.Kind.PROGRAM, n.at()));
            return scalarText(n, path);
        };
    }

    private List<String> commandList(YamlNode n, String path) {
        if (n instanceof Scalar s && !s.isNull()) {
            return bad(Rule.SCHEMA_TYPE, n, path, "expected the command as a list of words, like [\"" + abbreviate(s.text())
                    .replace(" ", "\", \"") + "\"]; a list needs no shell quoting");
        }
        List<String> words = list(this::string, false).apply(n, path);
        if (words == null) {
            return null;
        }
        if (words.isEmpty() || words.get(0).isBlank()) {
            return bad(Rule.VALUE_EMPTY, n, path, "the command is empty; give the program and its arguments as a list");
        }
        return words;
    }

    private Conv<List<String>> command() {
        return this::commandList;
    }

    private Map<String, String> stringMap(YamlNode n, String path) {
        Mapping m = asMappingOrEmpty(n, path);
        if (m == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Entry e : m.entries()) {
            String p = path + "." + e.key();
            source.put(p, e.keyAt(), e.value().at());
            String v = scalarText(e.value(), p);
            if (v != null) {
                out.put(e.key(), v);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** A YAML list of items; {@code nonEmpty} makes an empty list a finding. Null if any item is bad. */
    private <T> Conv<List<T>> list(Conv<T> item, boolean nonEmpty) {
        return (n, path) -> {
            if (n instanceof Scalar s && s.isNull()) {
                return nonEmpty ? bad(Rule.VALUE_EMPTY, n, path, "is empty; list at least one") : List.of();
            }
            if (!(n instanceof Sequence seq)) {
                return bad(Rule.SCHEMA_TYPE, n, path, "expected a list, like [a, b], found " + describe(n));
            }
            if (seq.items().isEmpty() && nonEmpty) {
                return bad(Rule.VALUE_EMPTY, n, path, "is empty; list at least one");
            }
            List<T> out = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < seq.items().size(); i++) {
                YamlNode it = seq.items().get(i);
                String p = path + "[" + i + "]";
                source.put(p, it.at(), it.at());
                T v = item.apply(it, p);
                if (v == null) {
                    ok = false;
                } else {
                    out.add(v);
                }
            }
            return ok ? List.copyOf(out) : null;
        };
    }

    /** Names declared in the file, whether or not their objects bound cleanly. */
    static final class Declared {
        final Set<String> checks = new LinkedHashSet<>();
        final Set<String> services = new LinkedHashSet<>();
        final Set<String> vrrp = new LinkedHashSet<>();
    }
}
