package io.haagent.lint;

import io.haagent.config.Durations;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance;
import io.haagent.config.VrrpInstance.Peer;
import io.haagent.config.load.LoadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Rules across several files linted together, one file a host. Two instances are the ends of a
 * pair when one lists the other's unicast source as a peer. A peer whose file is not among the
 * given ones is not judged: it may be a keepalived host.
 */
final class FleetRules {
    private record End(LoadResult file, int order, String name, VrrpInstance v) {
        String path() {
            return "vrrp." + name;
        }

        String where() {
            return file.file() + ":" + file.source().at(path()).line();
        }

        boolean lists(Ipv4 address) {
            return v.unicast().peers().stream().anyMatch(p -> p.address().equals(address));
        }
    }

    private FleetRules() {}

    static List<Finding> check(List<LoadResult> files) {
        List<End> ends = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            LoadResult f = files.get(i);
            int order = i;
            f.bound().vrrp().forEach((name, v) -> {
                if (v.vrid() != VrrpInstance.INVALID_VRID) {
                    ends.add(new End(f, order, name, v));
                }
            });
        }
        List<Finding> out = new ArrayList<>();
        for (End a : ends) {
            for (Ipv4 peer : a.v.unicast().peers().stream().map(Peer::address).distinct().toList()) {
                List<End> atPeer = ends.stream().filter(b -> b.order != a.order && b.v.unicast().source().equals(peer)).toList();
                if (atPeer.isEmpty()) {
                    continue;
                }
                List<End> sameVrid = atPeer.stream().filter(b -> b.v.vrid() == a.v.vrid()).toList();
                if (sameVrid.isEmpty()) {
                    add(out, a, ".vrid", Rule.FLEET_VRID_MISMATCH, "peer " + peer + " has no instance with vrid " + a.v.vrid()
                            + "; it has " + atPeer.stream().map(b -> "'" + b.name + "' with vrid " + b.v.vrid() + " (" + b.where() + ")")
                            .collect(Collectors.joining(", ")) + "; both ends of a pair must use the same vrid");
                    continue;
                }
                for (End b : sameVrid) {
                    if (!b.lists(a.v.unicast().source())) {
                        add(out, b, ".unicast.peers", Rule.FLEET_PEER_NOT_LISTED, "does not list " + a.v.unicast().source()
                                + " as a peer, but '" + a.name + "' (" + a.where() + ") lists this host with the same vrid "
                                + a.v.vrid() + "; add " + a.v.unicast().source() + " to unicast.peers, or the two will not hear each other");
                    } else if (a.order < b.order) {
                        agree(out, a, b);
                    }
                }
            }
        }
        return out;
    }

    /** Reported once per pair, in the first file, naming the second. */
    private static void agree(List<Finding> out, End a, End b) {
        mismatch(out, a, b, ".version", Rule.FLEET_VERSION_MISMATCH, "VRRP version", v -> Integer.toString(v.version()));
        mismatch(out, a, b, ".advert_interval", Rule.FLEET_ADVERT_MISMATCH, "advert interval",
                v -> Durations.format(v.advertInterval()));
        mismatch(out, a, b, ".transport", Rule.FLEET_TRANSPORT_MISMATCH, "transport",
                v -> v.transport().name().toLowerCase(java.util.Locale.ROOT));
        mismatch(out, a, b, ".auth.type", Rule.FLEET_AUTH_MISMATCH, "auth type", v -> v.auth().type());
        if (a.v.preempt() && b.v.preempt() && a.v.priority() == b.v.priority()) {
            add(out, a, ".preempt", Rule.FLEET_PREEMPT_TIE, "both ends preempt with the same priority " + a.v.priority()
                    + " (other end: " + b.where() + "); the higher address wins every tie and takes over after each "
                    + "restart, so give one end a higher priority or set preempt: false on both");
        }
    }

    private static void mismatch(List<Finding> out, End a, End b, String key, Rule rule, String what,
                                 Function<VrrpInstance, String> value) {
        String va = value.apply(a.v);
        String vb = value.apply(b.v);
        if (!Objects.equals(va, vb)) {
            add(out, a, key, rule, what + " is " + va + " here but " + vb + " at the other end '" + b.name + "' ("
                    + b.file.file() + ":" + b.file.source().at(b.path() + key).line() + "); both ends must agree");
        }
    }

    private static void add(List<Finding> out, End e, String key, Rule rule, String message) {
        out.add(new Finding(e.file.file(), e.file.source().at(e.path() + key), rule, e.path() + ": " + message));
    }
}
