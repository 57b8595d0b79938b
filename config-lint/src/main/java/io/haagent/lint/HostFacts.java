package io.haagent.lint;

import io.haagent.config.Cidr;
import io.haagent.config.Ipv4;
import io.haagent.config.Secret;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** What {@code lint --host} asks of the machine it runs on. */
public interface HostFacts {
    Set<String> interfaces();

    /** The addresses listed on the interfaces. */
    Set<Ipv4> addresses();

    /**
     * The networks of the loopback interfaces ({@code 127.0.0.0/8} on Linux): the kernel answers for and
     * sends from every address in them, listed or not, so two agents on one machine can use 127.0.0.1
     * and 127.0.0.2 without configuring anything.
     */
    default Set<Cidr> loopbackNetworks() {
        return Set.of();
    }

    /**
     * What keeps the Redis at {@code host:port} from persisting a role change with {@code CONFIG REWRITE}
     * (it runs without a config file, or cannot write it); empty when nothing does, and also when it cannot
     * be asked (not running yet): only a definite problem is a finding. Plain lint knows no Redis; the agent
     * supplies one that asks.
     */
    default Optional<String> redisRewriteProblem(String host, int port, Optional<Secret> password) {
        return Optional.empty();
    }

    /** True when this host can send from {@code a}. */
    default boolean isLocal(Ipv4 a) {
        return addresses().contains(a) || loopbackNetworks().stream().anyMatch(n -> contains(n, a));
    }

    private static boolean contains(Cidr net, Ipv4 a) {
        int mask = net.prefixLength() == 0 ? 0 : -1 << (32 - net.prefixLength());
        return (net.address().bits() & mask) == (a.bits() & mask);
    }

    /** This machine (or this network namespace) as the kernel reports it. */
    static HostFacts system() {
        Set<String> names = new HashSet<>();
        Set<Ipv4> addrs = new HashSet<>();
        Set<Cidr> loopback = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                names.add(ni.getName());
                boolean lo = ni.isLoopback() && ni.isUp();
                for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                    if (ia.getAddress() instanceof Inet4Address v4) {
                        Ipv4 a = Ipv4.parse(v4.getHostAddress());
                        addrs.add(a);
                        if (lo) {
                            loopback.add(new Cidr(a, ia.getNetworkPrefixLength()));
                        }
                    }
                }
            }
        } catch (SocketException e) {
            throw new java.io.UncheckedIOException("cannot list this host's network interfaces", e);
        }
        Set<String> n = Set.copyOf(names);
        Set<Ipv4> a = Set.copyOf(addrs);
        Set<Cidr> l = Set.copyOf(loopback);
        return new HostFacts() {
            public Set<String> interfaces() {
                return n;
            }

            public Set<Ipv4> addresses() {
                return a;
            }

            public Set<Cidr> loopbackNetworks() {
                return l;
            }
        };
    }
}
