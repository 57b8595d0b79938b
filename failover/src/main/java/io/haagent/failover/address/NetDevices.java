package io.haagent.failover.address;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** This host's network interfaces as sysfs shows them ({@code /sys/class/net/<if>/address}, {@code ifindex}). */
record NetDevices(Path root) {
    static final NetDevices SYSFS = new NetDevices(Path.of("/sys/class/net"));

    /** The interface's MAC address, 6 bytes. */
    byte[] mac(String iface) throws IOException {
        String text = read(iface, "address");
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new IOException("interface " + iface + " has no Ethernet address (sysfs says '" + text + "')");
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    int ifindex(String iface) throws IOException {
        return Integer.parseInt(read(iface, "ifindex"));
    }

    /** The interface whose MAC address is {@code mac} (any case), e.g. the one an ENI is attached as. */
    Optional<String> byMac(String mac) throws IOException {
        String wanted = mac.strip().toLowerCase(Locale.ROOT);
        try (Stream<Path> list = Files.list(root)) {
            for (Path dir : list.sorted().toList()) {
                Path address = dir.resolve("address");
                if (Files.isReadable(address)
                        && Files.readString(address, StandardCharsets.US_ASCII).strip().equalsIgnoreCase(wanted)) {
                    return Optional.of(dir.getFileName().toString());
                }
            }
        }
        return Optional.empty();
    }

    private String read(String iface, String file) throws IOException {
        if (iface.isEmpty() || iface.contains("/") || iface.equals("..") || iface.equals(".")) {
            throw new IOException("'" + iface + "' is not an interface name");
        }
        Path p = root.resolve(iface).resolve(file);
        if (!Files.exists(root.resolve(iface))) {
            throw new IOException("there is no interface " + iface + " on this host (no " + root.resolve(iface) + ")");
        }
        return Files.readString(p, StandardCharsets.US_ASCII).strip();
    }
}
