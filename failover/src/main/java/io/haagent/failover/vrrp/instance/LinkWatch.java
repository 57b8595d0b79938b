package io.haagent.failover.vrrp.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the instance's {@code interface} can carry adverts, as keepalived tracks an instance's own
 * interface: its link down means FAULT (a master whose cable is pulled must not stay MASTER in its own
 * eyes and, when the cable is back, must return as BACKUP rather than fight). Read from sysfs, which
 * {@code ip netns exec} remounts per namespace.
 */
final class LinkWatch {
    /** IFF_UP in {@code /sys/class/net/<if>/flags}: the interface is administratively up. */
    private static final int IFF_UP = 0x1;

    private final String iface;
    private final Path dir;

    LinkWatch(String iface) {
        this(iface, Path.of("/sys/class/net"));
    }

    LinkWatch(String iface, Path sysClassNet) {
        this.iface = iface;
        this.dir = sysClassNet.resolve(iface);
    }

    /** The name the election knows this link by, as a tracked check with weight 0. */
    String trackName() {
        return "interface " + iface;
    }

    /**
     * Up when administratively up and its operational state is {@code up} or {@code unknown} (what
     * drivers without carrier detection report); a vanished interface is down.
     */
    boolean isUp() {
        try {
            int flags = Integer.decode(Files.readString(dir.resolve("flags")).strip());
            String oper = Files.readString(dir.resolve("operstate")).strip();
            return (flags & IFF_UP) != 0 && (oper.equals("up") || oper.equals("unknown"));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
