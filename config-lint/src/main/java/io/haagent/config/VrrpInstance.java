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
