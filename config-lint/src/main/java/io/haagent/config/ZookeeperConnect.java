package io.haagent.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A ZooKeeper connect string: servers, then an optional chroot that prefixes every path the client
 * uses ({@code zk1:2181,zk2:2181/haagent}). Parsed as ZooKeeper's {@code ConnectStringParser} does,
 * so a string pasted from the ensemble's docs means the same here: a server without a port (or
 * with a bare {@code :}) uses 2181, and a chroot of {@code /} alone is no chroot.
 */
public record ZookeeperConnect(List<HostPort> servers, Optional<String> chroot) {
    /** ZooKeeper's client port when the connect string names none ({@code ConnectStringParser.DEFAULT_PORT}). */
    public static final int DEFAULT_PORT = 2181;
    private static final String WRITE = "; write it like zk1:2181,zk2:2181,zk3:2181 or, with a chroot, zk1:2181,zk2:2181/haagent";

    public ZookeeperConnect {
        servers = List.copyOf(servers);
    }

    public static ZookeeperConnect parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        Optional<String> chroot = Optional.empty();
        if (slash >= 0) {
            String root = s.substring(slash);
            if (!root.equals("/")) {
                Optional<String> wrong = ZnodePath.problem(root);
                if (wrong.isPresent()) {
                    throw new IllegalArgumentException("the chroot '" + root + "' of '" + text
                            + "' is not a ZooKeeper path: " + wrong.get() + WRITE);
                }
                chroot = Optional.of(root);
            }
            s = s.substring(0, slash);
        }
        if (s.isBlank()) {
            throw new IllegalArgumentException("'" + text + "' has no server before the chroot" + WRITE);
        }
        List<HostPort> servers = new ArrayList<>();
        String[] parts = s.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty()) {
                throw new IllegalArgumentException("server " + (i + 1) + " of '" + text + "' is an empty server (two commas?)" + WRITE);
            }
            servers.add(server(part, i + 1, text));
        }
        return new ZookeeperConnect(servers, chroot);
    }

    private static HostPort server(String part, int index, String whole) {
        int colon = part.lastIndexOf(':');
        String host = colon < 0 ? part : part.substring(0, colon);
        String port = colon < 0 || colon == part.length() - 1 ? Integer.toString(DEFAULT_PORT) : part.substring(colon + 1);
        if (!HostPort.isHost(host)) {
            throw new IllegalArgumentException("server " + index + " of '" + whole + "' has a bad host '" + host
                    + "' (a host name or IPv4 address)" + WRITE);
        }
        try {
            return HostPort.parse(host + ":" + port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("server " + index + " of '" + whole + "' has a bad port '" + port
                    + "' (1-65535, or none for " + DEFAULT_PORT + ")" + WRITE);
        }
    }

    /** The same ensemble and chroot, whatever the order and spelling of the servers: what both ends of a pair need. */
    public boolean sameEnsemble(ZookeeperConnect other) {
        return Set.copyOf(servers).equals(Set.copyOf(other.servers)) && chroot.equals(other.chroot);
    }

    @Override
    public String toString() {
        return servers.stream().map(HostPort::toString).collect(Collectors.joining(",")) + chroot.orElse("");
    }
}
