package io.haagent.failover.address;

import io.haagent.config.Cidr;
import io.haagent.config.Ipv4;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code ip addr add/del/show} with iproute2's answers turned into "done", "already so" or one sentence. */
final class InterfaceAddresses {
    private final IpCommand ip;

    InterfaceAddresses(IpCommand ip) {
        this.ip = ip;
    }

    /** Adds the address; false when it was already there (iproute2 says "File exists" or "already assigned"). */
    boolean add(Cidr cidr, String iface) throws IOException, InterruptedException {
        IpCommand.Result r = ip.run(List.of("addr", "add", cidr.toString(), "dev", iface));
        if (r.ok()) {
            return true;
        }
        if (r.err().contains("File exists") || r.err().contains("already assigned")) {
            return false;
        }
        throw new IOException("ip addr add " + cidr + " dev " + iface + " failed: " + r.err() + hint(r.err(), iface));
    }

    /** Removes the address; false when it was not there. */
    boolean delete(Cidr cidr, String iface) throws IOException, InterruptedException {
        IpCommand.Result r = ip.run(List.of("addr", "del", cidr.toString(), "dev", iface));
        if (r.ok()) {
            return true;
        }
        if (r.err().contains("Cannot assign requested address") || r.err().contains("not found")) {
            return false;
        }
        throw new IOException("ip addr del " + cidr + " dev " + iface + " failed: " + r.err() + hint(r.err(), iface));
    }

    /** The interfaces that have {@code address} with prefix {@code /32}, from {@code ip -o -4 addr show to}. */
    List<String> holders(Ipv4 address) throws IOException, InterruptedException {
        IpCommand.Result r = ip.run(List.of("-o", "-4", "addr", "show", "to", address + "/32"));
        if (!r.ok()) {
            throw new IOException("ip -o -4 addr show to " + address + "/32 failed: " + r.err());
        }
        List<String> out = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            String[] f = line.strip().split("\\s+"); // "2: eth0    inet 10.0.1.100/32 scope global eth0 ..."
            if (f.length >= 4 && f[3].equals(address + "/32")) {
                String name = f[1].split("@", 2)[0];
                if (!out.contains(name)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    private static String hint(String err, String iface) {
        if (err.contains("Cannot find device")) {
            return "; there is no interface " + iface + " on this host: check the interface in the config";
        }
        if (err.contains("Operation not permitted")) {
            return "; the agent needs CAP_NET_ADMIN (AmbientCapabilities=CAP_NET_ADMIN in its systemd unit, or root)";
        }
        return "";
    }
}
