package io.haagent.lint;

import io.haagent.config.Defaults;
import io.haagent.config.Durations;
import io.haagent.config.Ipv4;
import io.haagent.config.VrrpInstance.Peer;
import io.haagent.config.VrrpInstance.Transport;
import io.haagent.config.VrrpInstance;
import io.haagent.config.ZookeeperConfig;
import io.haagent.config.load.LoadResult;
import io.haagent.config.load.SourceMap;
import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
            return at(file, file.source().at(path()));
        }

        boolean lists(Ipv4 address) {
            return v.unicast().peers().stream().anyMatch(p -> p.address().equals(address));
        }

        /** On udp: the port this end listens on, and sends to unless a peer entry names its own. */
        int port() {
            return v.unicast().port().orElse(Defaults.VRRP_UDP_PORT);
        }

        /** The index of the first peer entry at the other end's address (one exists: the ends are paired). */
        int peerIndex(End other) {
            List<Peer> peers = v.unicast().peers();
            for (int i = 0; i < peers.size(); i++) {
                if (peers.get(i).address().equals(other.v.unicast().source())) {
                    return i;
                }
            }
            return -1;
        }

        boolean sendsToPortOf(End other) {
            return v.unicast().peers().stream().filter(p -> p.address().equals(other.v.unicast().source()))
                    .anyMatch(p -> p.port().orElse(port()) == other.port());
        }

        boolean namesPortFor(End other) {
            return v.unicast().peers().stream()
                    .anyMatch(p -> p.address().equals(other.v.unicast().source()) && p.port().isPresent());
        }

        String line(String key) {
            return at(file, file.source().at(path() + key));
        }

        /** This host's coordination.zookeeper when it leases this instance. */
        Optional<ZookeeperConfig> lease() {
            return file.bound().zookeeper().filter(zk -> zk.leaseFor().contains(name));
        }

        Location zkAt(String key) {
            return file.source().at("coordination.zookeeper" + key);
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
        scalerNodes(files, out);
        return out;
    }

    /**
     * The scaler keys a host's load by role and node name (the Redis hash, the ZooKeeper node, a receiver's map): two
     * hosts with the same pair would overwrite each other's, and the scaler would count one host. Reported at the
     * later file, naming the first; a host whose name comes from its host name at run time is not judged.
     */
    private static void scalerNodes(List<LoadResult> files, List<Finding> out) {
        java.util.Map<String, LoadResult> first = new java.util.HashMap<>();
        for (LoadResult f : files) {
            Optional<String> node = f.bound().node().name();
            if (node.isEmpty() || f.bound().scaler().isEmpty()) {
                continue;
            }
            String role = f.bound().scaler().get().role();
            LoadResult earlier = first.putIfAbsent(role + "\u0000" + node.get(), f);
            if (earlier != null) {
                out.add(new Finding(f.file(), f.source().at("node.name"), Rule.FLEET_SCALER_NODE_TWICE, "node.name: "
                        + node.get() + " pushes its load as role " + role + ", as " + at(earlier,
                        earlier.source().at("node.name")) + " does: each sample would overwrite the other host's; give "
                        + "each host its own node.name"));
            }
        }
    }

    /** Reported once per pair, in the first file, naming the second. */
    private static void agree(List<Finding> out, End a, End b) {
        mismatch(out, a, b, ".version", Rule.FLEET_VERSION_MISMATCH, "VRRP version", v -> Integer.toString(v.version()));
        mismatch(out, a, b, ".advert_interval", Rule.FLEET_ADVERT_MISMATCH, "advert interval",
                v -> Durations.format(v.advertInterval()));
        mismatch(out, a, b, ".transport", Rule.FLEET_TRANSPORT_MISMATCH, "transport",
                v -> v.transport().name().toLowerCase(java.util.Locale.ROOT));
        mismatch(out, a, b, ".auth.type", Rule.FLEET_AUTH_MISMATCH, "auth type", v -> v.auth().type());
        if (a.v.transport() == Transport.UDP && b.v.transport() == Transport.UDP) {
            udpPorts(out, a, b);
        }
        addresses(out, a, b);
        lease(out, a, b);
        if (a.v.preempt() && b.v.preempt() && a.v.priority() == b.v.priority()) {
            add(out, a, ".preempt", Rule.FLEET_PREEMPT_TIE, "both ends preempt with the same priority " + a.v.priority()
                    + " (other end: " + b.where() + "); the higher address wins every tie and takes over after each "
                    + "restart, so give one end a higher priority or set preempt: false on both");
        }
    }

    /**
     * Each end sends to its own {@code unicast.port} unless its peer entry names another; the
     * other end must listen there. Two ends that only differ in {@code unicast.port} are one finding.
     */
    private static void udpPorts(List<Finding> out, End a, End b) {
        boolean ab = a.sendsToPortOf(b);
        boolean ba = b.sendsToPortOf(a);
        if (!ab && !ba && !a.namesPortFor(b) && !b.namesPortFor(a)) {
            add(out, a, ".unicast.port", Rule.FLEET_PORT_MISMATCH, "udp port is " + a.port() + " here but " + b.port()
                    + " at the other end '" + b.name + "' (" + b.line(".unicast.port") + "); each end listens on its "
                    + "unicast.port and sends there, so the two never hear each other; set the same unicast.port on both ends");
            return;
        }
        if (!ab) {
            portFinding(out, a, b);
        }
        if (!ba) {
            portFinding(out, b, a);
        }
    }

    private static void portFinding(List<Finding> out, End from, End to) {
        int i = from.peerIndex(to);
        Peer peer = from.v.unicast().peers().get(i);
        int sendsTo = peer.port().orElse(from.port());
        String key = peer.port().isPresent() ? ".unicast.peers[" + i + "]" : ".unicast.port";
        add(out, from, key, Rule.FLEET_PORT_MISMATCH, "sends adverts to " + peer.address() + ":" + sendsTo + ", but '"
                + to.name + "' there (" + to.line(".unicast.port") + ") listens on udp port " + to.port()
                + ", so it never hears this end; write the peer as " + peer.address() + ":" + to.port()
                + ", or make the two unicast.port agree");
    }

    /**
     * keepalived drops an advert whose address list differs from its own {@code virtual_ipaddress}
     * (count and members; the order does not matter), so the two ends must list the same addresses.
     */
    private static void addresses(List<Finding> out, End a, End b) {
        List<Ipv4> la = a.v.addresses().stream().sorted().toList();
        List<Ipv4> lb = b.v.addresses().stream().sorted().toList();
        if (la.equals(lb)) {
            return;
        }
        out.add(new Finding(a.file.file(), addressesAt(a), Rule.FLEET_ADDRESSES_MISMATCH, a.path() + ": advertises "
                + describeAddresses(a) + " here but " + describeAddresses(b) + " at the other end '" + b.name + "' ("
                + at(b.file, addressesAt(b)) + "); haagent accepts that, but keepalived drops an advert whose "
                + "address list differs from its own virtual_ipaddress, so the pair must agree; set the same "
                + "addresses: [...] on both ends (on a keepalived peer: its virtual_ipaddress)"));
    }

    /**
     * Both ends must contend for one lease node in one ensemble: a lease taken on one side only, or in
     * another ensemble, chroot or path, fences nothing. Connect and path are per host, so a second
     * leased pair between the same two files does not repeat those findings.
     */
    private static void lease(List<Finding> out, End a, End b) {
        Optional<ZookeeperConfig> za = a.lease();
        Optional<ZookeeperConfig> zb = b.lease();
        if (za.isEmpty() && zb.isEmpty()) {
            return;
        }
        if (za.isEmpty() || zb.isEmpty()) {
            End leasing = za.isPresent() ? a : b;
            End other = za.isPresent() ? b : a;
            String key = ".lease_for[" + leasing.lease().orElseThrow().leaseFor().indexOf(leasing.name) + "]";
            out.add(new Finding(leasing.file.file(), leasing.zkAt(key), Rule.FLEET_LEASE_MISMATCH, "coordination.zookeeper"
                    + key + ": '" + leasing.name + "' is leased here but not at the other end '" + other.name + "' ("
                    + other.where() + "), which does not list it in coordination.zookeeper.lease_for: the lease would "
                    + "fence only this side, so both could be MASTER; list it in lease_for on both ends, or on neither"));
            return;
        }
        ZookeeperConfig x = za.orElseThrow();
        ZookeeperConfig y = zb.orElseThrow();
        if (!x.connect().sameEnsemble(y.connect())) {
            addOnce(out, new Finding(a.file.file(), a.zkAt(".connect"), Rule.FLEET_LEASE_MISMATCH, "coordination.zookeeper"
                    + ".connect: is " + x.connect() + " here but " + y.connect() + " at the other end ("
                    + at(b.file, b.zkAt(".connect")) + "): the two ends would take their leases in different ensembles or "
                    + "chroots, so both could be MASTER; use the same servers and chroot on both ends (the order does not matter)"));
        }
        if (!x.path().equals(y.path())) {
            addOnce(out, new Finding(a.file.file(), a.zkAt(".path"), Rule.FLEET_LEASE_MISMATCH, "coordination.zookeeper"
                    + ".path: is " + x.path() + " here but " + y.path() + " at the other end (" + at(b.file, b.zkAt(".path"))
                    + "): the two ends would contend for different lease nodes, so both could be MASTER; use the same path on both ends"));
        }
    }

    private static void addOnce(List<Finding> out, Finding f) {
        if (!out.contains(f)) {
            out.add(f);
        }
    }

    /** Where an instance's address list comes from: the key, or the address mover it defaults from. */
    private static Location addressesAt(End e) {
        SourceMap src = e.file.source();
        String explicit = e.path() + ".addresses";
        String mover = e.path() + ".on_master.address";
        return !src.has(explicit) && src.has(mover) ? src.keyAt(mover) : src.at(explicit);
    }

    private static String describeAddresses(End e) {
        List<Ipv4> l = e.v.addresses();
        String list = l.isEmpty() ? "no addresses"
                : "[" + l.stream().map(Ipv4::toString).collect(Collectors.joining(", ")) + "]";
        if (e.file.source().has(e.path() + ".addresses")) {
            return list;
        }
        return list + e.v.onMaster().address().map(m -> m instanceof VrrpInstance.Eni
                ? " (the default for an eni move)" : " (the default: the on_master.address ip)")
                .orElse(" (the default without on_master.address)");
    }

    private static void mismatch(List<Finding> out, End a, End b, String key, Rule rule, String what,
                                 Function<VrrpInstance, String> value) {
        String va = value.apply(a.v);
        String vb = value.apply(b.v);
        if (!Objects.equals(va, vb)) {
            add(out, a, key, rule, what + " is " + va + " here but " + vb + " at the other end '" + b.name + "' ("
                    + b.line(key) + "); both ends must agree");
        }
    }

    /** {@code FILE:LINE} of a value, in the file it was written in (the host's own, or one it includes). */
    private static String at(LoadResult file, Location l) {
        return l.fileOr(file.file()) + ":" + l.line();
    }

    private static void add(List<Finding> out, End e, String key, Rule rule, String message) {
        out.add(new Finding(e.file.file(), e.file.source().at(e.path() + key), rule, e.path() + ": " + message));
    }
}
