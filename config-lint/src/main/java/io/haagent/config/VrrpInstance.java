package io.haagent.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One VRRP instance: keepalived's {@code vrrp_instance}, always unicast.
 *
 * @param addresses     the addresses every advert lists (keepalived's {@code virtual_ipaddress}); keepalived
 *                      drops an advert whose list differs from its own, so both ends must agree
 * @param notifyTimeout how long one notify hook may run before it is killed
 */
public record VrrpInstance(int vrid, int priority, Duration advertInterval, int version, Transport transport,
                           Optional<String> iface, Unicast unicast, List<Ipv4> addresses, boolean preempt,
                           Duration preemptDelay, Duration startupDelay, List<Track> track, Auth auth,
                           OnMaster onMaster, OnBackup onBackup, List<String> notifyHooks, Duration notifyTimeout) {

    /** Stands in for a vrid that failed to load, so the rest of the instance can still be linted; never valid. */
    public static final int INVALID_VRID = 0;

    /**
     * What makes {@code next} another instance than this one, as {@code "vrid 51 -> 52"}: the router id, the
     * interface, the transport, the VRRP version, the unicast source and the udp port — what the instance's
     * socket and its peers know it by. Empty when there is none: a running instance then takes {@code next}
     * in place (priority, timers, preemption, tracking, peers, authentication, hooks, role actions), keeping
     * its state, where anything here needs it stopped and started again.
     */
    public List<String> identityChanges(VrrpInstance next) {
        List<String> changes = new java.util.ArrayList<>();
        change(changes, "vrid", vrid, next.vrid);
        change(changes, "interface", iface.orElse("(none)"), next.iface.orElse("(none)"));
        change(changes, "transport", transport.name().toLowerCase(java.util.Locale.ROOT),
                next.transport.name().toLowerCase(java.util.Locale.ROOT));
        change(changes, "version", version, next.version);
        change(changes, "unicast.source", unicast.source(), next.unicast.source());
        if (transport == Transport.UDP && next.transport == Transport.UDP) {
            change(changes, "unicast.port", unicast.port().map(String::valueOf).orElse("default"),
                    next.unicast.port().map(String::valueOf).orElse("default"));
        }
        return List.copyOf(changes);
    }

    /**
     * What else differs in {@code next}, for a reload's log line: {@code "priority 150 -> 160"} for a number or
     * a duration, the field's name alone for a list or a block ({@code "notify"}, {@code "track"}).
     */
    public List<String> settingChanges(VrrpInstance next) {
        List<String> changes = new java.util.ArrayList<>();
        change(changes, "priority", priority, next.priority);
        change(changes, "advert_interval", Durations.format(advertInterval), Durations.format(next.advertInterval));
        change(changes, "preempt", preempt, next.preempt);
        change(changes, "preempt_delay", Durations.format(preemptDelay), Durations.format(next.preemptDelay));
        change(changes, "startup_delay", Durations.format(startupDelay), Durations.format(next.startupDelay));
        named(changes, "track", track, next.track);
        named(changes, "unicast.peers", unicast.peers(), next.unicast.peers());
        change(changes, "unicast.min_ttl", unicast.minTtl(), next.unicast.minTtl());
        named(changes, "addresses", addresses, next.addresses);
        named(changes, "auth", auth, next.auth);
        named(changes, "on_master", onMaster, next.onMaster);
        named(changes, "on_backup", onBackup, next.onBackup);
        named(changes, "notify", notifyHooks, next.notifyHooks);
        change(changes, "notify_timeout", Durations.format(notifyTimeout), Durations.format(next.notifyTimeout));
        return List.copyOf(changes);
    }

    private static void named(List<String> changes, String field, Object was, Object now) {
        if (!was.equals(now)) {
            changes.add(field);
        }
    }

    private static void change(List<String> changes, String field, Object was, Object now) {
        if (!was.equals(now)) {
            changes.add(field + " " + was + " -> " + now);
        }
    }

    public enum Transport {
        /** IP protocol 112, keepalived-compatible; needs CAP_NET_RAW. */
        IP,
        /** The same advert inside UDP, for unprivileged use. */
        UDP
    }

    /** A peer address, with a port only on the udp transport. */
    public record Peer(Ipv4 address, Optional<Integer> port) {
        @Override
        public String toString() {
            return port.map(p -> address + ":" + p).orElse(address.toString());
        }
    }

    /**
     * {@code port} is the udp transport's port (ours and, unless a peer names its own, theirs);
     * {@code minTtl} is the lowest IP TTL an advert may arrive with on the ip transport (255: only
     * from the same link, as RFC 5798 §7.1 asks; keepalived skips this check in unicast).
     */
    public record Unicast(Ipv4 source, List<Peer> peers, Optional<Integer> port, int minTtl) {}

    /**
     * A tracked check, as keepalived's {@code track_script} weight: 0 forces FAULT while the check is
     * down; a positive weight is added to the priority while it is up; a negative one is added
     * (lowering it) while it is down. The result is clamped to 1..254.
     */
    public record Track(String check, int weight) {}

    public sealed interface Auth {
        String type();
    }

    public record NoAuth() implements Auth {
        public String type() {
            return "none";
        }
    }

    /** keepalived's {@code auth_type PASS}: 8 bytes in clear in every v2 advert. */
    public record PassAuth(Secret password) implements Auth {
        public String type() {
            return "pass";
        }
    }

    /** HMAC-SHA256 over the udp advert, with replay protection. */
    public record HmacAuth(Secret secret) implements Auth {
        public String type() {
            return "hmac";
        }
    }

    public record OnMaster(Optional<RedisPromote> redisPromote, Optional<AddressMove> address) {}

    public record OnBackup(Optional<RedisReplicate> redisReplicate) {}

    /** Guarded {@code REPLICAOF NO ONE} (+ {@code CONFIG REWRITE}) of the local Redis. */
    public record RedisPromote(String host, int port, Optional<Secret> password, boolean configRewrite,
                               Duration maxLinkDown) {
        /** True when {@code check} probes this Redis: the same port, and the same host (any two loopback names agree). */
        public boolean isProbedBy(CheckSpec.Redis check) {
            return check.port() == port && (check.host().equalsIgnoreCase(host) || (isLoopback(check.host()) && isLoopback(host)));
        }

        private static boolean isLoopback(String h) {
            return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1");
        }
    }

    /** {@code REPLICAOF <master's address> <masterPort>} of the local Redis at host:port. */
    public record RedisReplicate(String host, int port, int masterPort, Optional<Secret> password,
                                 boolean configRewrite) {}

    /** How the service address follows the master. */
    public sealed interface AddressMove {}

    /** Detach the ENI from the other instance and attach it here at {@code deviceIndex}. */
    public record Eni(AwsId id, int deviceIndex, Optional<String> region, Optional<URI> endpoint,
                      Duration forceDetachAfter) implements AddressMove {}

    /** AssignPrivateIpAddresses (with reassignment) on this instance's ENI, then add the IP to the interface. */
    public record SecondaryIp(Ipv4 ip, AwsId eni, Optional<String> iface, Optional<String> region,
                              Optional<URI> endpoint) implements AddressMove {}

    /** {@code ip addr add} plus gratuitous ARP. */
    public record LocalAddress(Cidr ip, String iface) implements AddressMove {}
}
