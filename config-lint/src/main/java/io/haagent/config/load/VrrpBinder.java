package io.haagent.config.load;

import static io.haagent.config.load.Variants.row;

import io.haagent.config.Defaults;
import io.haagent.config.HostPort;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.lint.finding.Rule;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Binds one entry of {@code vrrp:}: the instance, its unicast peers, tracked checks and auth. */
final class VrrpBinder {
    /** RFC 3768 §5.3.5 / RFC 5798 §5.2.5: the advert counts its addresses in one byte. */
    private static final int MAX_ADVERT_ADDRESSES = 255;

    private final Values values;
    private final VrrpActionBinder actions;

    private final Variants<Function<Fields, VrrpInstance.Auth>> authTypes = Variants.of(
            row("none", this::noAuth),
            row("pass", this::passAuth),
            row("hmac", this::hmacAuth));

    VrrpBinder(Values values) {
        this.values = values;
        this.actions = new VrrpActionBinder(values);
    }

    VrrpInstance vrrp(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        // A bad vrid keeps the instance (as vrid 0, which no rule pairs) so that its other problems are reported too.
        Integer vrid = f.has("vrid") ? f.opt("vrid", values.integer(1, 255), VrrpInstance.INVALID_VRID)
                : f.req("vrid", values.integer(1, 255), "the virtual router id, 1-255, the same on both ends of the pair");
        int priority = f.opt("priority", values.integer(1, 254, " (255 is reserved for the address owner)"),
                Defaults.VRRP_PRIORITY);
        Duration advert = f.opt("advert_interval", values.positiveDuration(), Defaults.ADVERT_INTERVAL);
        int version = f.opt("version", values.integer(2, 3), Defaults.VRRP_VERSION);
        VrrpInstance.Transport transport = f.opt("transport", values.keyword(VrrpInstance.Transport.class),
                Defaults.TRANSPORT);
        Optional<String> iface = f.opt("interface", values::iface);
        VrrpInstance.Unicast unicast = f.req("unicast", this::unicast,
                "unicast: { source: <this host's address>, peers: [<the other host's address>] }");
        boolean preempt = f.opt("preempt", values::bool, Defaults.PREEMPT);
        Duration preemptDelay = f.opt("preempt_delay", values.duration(), Defaults.PREEMPT_DELAY);
        Duration startupDelay = f.opt("startup_delay", values.duration(), Defaults.startupDelay(advert));
        List<VrrpInstance.Track> track = f.opt("track", values.list(this::track, false), List.of());
        VrrpInstance.Auth auth = f.opt("auth", values.object(a -> a.variant("type", authTypes, "the auth type")),
                new VrrpInstance.NoAuth());
        VrrpInstance.OnMaster onMaster = f.opt("on_master", actions::onMaster,
                new VrrpInstance.OnMaster(Optional.empty(), Optional.empty()));
        VrrpInstance.OnBackup onBackup = f.opt("on_backup", actions::onBackup, new VrrpInstance.OnBackup(Optional.empty()));
        List<Ipv4> addresses = f.opt("addresses", this::advertAddresses, Defaults.advertAddresses(onMaster));
        List<String> notify = f.opt("notify", values.list(values.program(), false), List.of());
        Duration notifyTimeout = f.opt("notify_timeout", values.positiveDuration(), Defaults.NOTIFY_TIMEOUT);
        return f.done(() -> new VrrpInstance(vrid, priority, advert, version, transport, iface, unicast, addresses,
                preempt, preemptDelay, startupDelay, track, auth, onMaster, onBackup, notify, notifyTimeout));
    }

    private List<Ipv4> advertAddresses(YamlNode n, String path) {
        List<Ipv4> l = values.list(values::ipv4, false).apply(n, path);
        if (l != null && l.size() > MAX_ADVERT_ADDRESSES) {
            return values.bad(Rule.VALUE_RANGE, n, path, l.size() + " addresses do not fit an advert, which counts them "
                    + "in one byte; list at most " + MAX_ADVERT_ADDRESSES);
        }
        return l;
    }

    private VrrpInstance.Unicast unicast(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        Ipv4 src = f.req("source", values::ipv4, "this host's address that adverts are sent from, like 10.0.1.10");
        List<VrrpInstance.Peer> peers = f.req("peers", values.list(this::peer, true),
                "the other end's address as a list, like [10.0.1.11]");
        Optional<Integer> port = f.opt("port", values.port());
        int minTtl = f.opt("min_ttl", values.integer(1, 255), Defaults.VRRP_MIN_TTL);
        return f.done(() -> new VrrpInstance.Unicast(src, peers, port, minTtl));
    }

    private VrrpInstance.Peer peer(YamlNode n, String path) {
        String s = values.scalarText(n, path);
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
            return values.bad(Rule.VALUE_ADDRESS, n, path, e.getMessage());
        }
    }

    private VrrpInstance.Track track(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        String check = f.req("check", values::string, "the name of the check to track");
        int weight = f.opt("weight", values.integer(-254, 254, "; 0 means FAULT while the check is down"),
                Defaults.TRACK_WEIGHT);
        return f.done(() -> new VrrpInstance.Track(check, weight));
    }

    // ---------------------------------------------------------------- auth

    private VrrpInstance.Auth noAuth(Fields f) {
        return f.done(VrrpInstance.NoAuth::new);
    }

    private VrrpInstance.Auth passAuth(Fields f) {
        var password = values.requiredSecret(f, "password",
                "the file holding the password (at most 8 characters, as keepalived's auth_pass)");
        return f.done(() -> new VrrpInstance.PassAuth(password));
    }

    private VrrpInstance.Auth hmacAuth(Fields f) {
        var secret = values.requiredSecret(f, "secret",
                "the file holding the shared HMAC key (the same file content on both ends)");
        return f.done(() -> new VrrpInstance.HmacAuth(secret));
    }
}
