package io.haagent.agent.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code /proc/net/dev}: per interface {@code node_network_receive_bytes_total}, {@code _transmit_bytes_total},
 * {@code node_network_receive_drop_total} and {@code _transmit_drop_total}. With no interfaces configured every
 * interface but {@code lo} is read (loopback traffic is not load from outside); with a list, exactly those, and one
 * that is not there is a problem (a renamed NIC would otherwise vanish silently).
 *
 * <p>The name is what stands before the line's last colon: the kernel prints {@code %6s:} and then the numbers, with
 * no space when the first number is wide ({@code eth0:68210035552}), and an alias keeps its own colon
 * ({@code ibr10:30:}).
 */
final class NetDev implements LoadReader {
    private final ProcFile file;
    private final Set<String> only;

    /** @param interfaces the interfaces to read; empty: all but {@code lo} */
    NetDev(Path procRoot, List<String> interfaces) {
        this.file = new ProcFile(procRoot.resolve("net").resolve("dev"));
        this.only = Set.copyOf(interfaces);
    }

    @Override
    public void read(Readings into) throws IOException {
        String text = file.read();
        Set<String> missing = new LinkedHashSet<>(only);
        int at = 0;
        int line = 0;
        while (at < text.length()) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            int colon = text.lastIndexOf(':', end - 1);
            if (line++ >= 2 && colon >= at) { // two header lines
                String name = text.substring(at, colon).strip();
                if (only.isEmpty() ? !name.equals("lo") : only.contains(name)) {
                    missing.remove(name);
                    // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs drop
                    String[] w = ProcText.words(text, colon + 1, end, 12);
                    if (w.length < 12) {
                        throw new IOException(file + ": interface " + name + " has " + w.length + " columns, not 16");
                    }
                    into.put("node_network_receive_bytes_total", ProcText.number(w[0], file), "device", name);
                    into.put("node_network_transmit_bytes_total", ProcText.number(w[8], file), "device", name);
                    into.put("node_network_receive_drop_total", ProcText.number(w[3], file), "device", name);
                    into.put("node_network_transmit_drop_total", ProcText.number(w[11], file), "device", name);
                }
            }
            at = end + 1;
        }
        for (String name : missing) {
            into.problem("interface " + name + " is not in " + file + ": its network series are left out"
                    + " (is it renamed or down? check the configured interfaces)");
        }
    }

    @Override
    public String what() {
        return "network counters (" + file + ")";
    }
}
