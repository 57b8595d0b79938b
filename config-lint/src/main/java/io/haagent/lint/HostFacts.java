package io.haagent.lint;

import io.haagent.config.Ipv4;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/** What {@code lint --host} asks of the machine it runs on. */
public interface HostFacts {
    Set<String> interfaces();

    Set<Ipv4> addresses();

    /** This machine (or this network namespace) as the kernel reports it. */
    static HostFacts system() {
        Set<String> names = new HashSet<>();
        Set<Ipv4> addrs = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                names.add(ni.getName());
                for (var a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet4Address v4) {
                        addrs.add(Ipv4.parse(v4.getHostAddress()));
                    }
                }
            }
        } catch (SocketException e) {
            throw new java.io.UncheckedIOException("cannot list this host's network interfaces", e);
        }
        Set<String> n = Set.copyOf(names);
        Set<Ipv4> a = Set.copyOf(addrs);
        return new HostFacts() {
            public Set<String> interfaces() {
                return n;
            }

            public Set<Ipv4> addresses() {
                return a;
            }
        };
    }
}
