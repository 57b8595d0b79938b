package io.haagent.config;

import java.util.regex.Pattern;

/** A host name or IPv4 address with a port: {@code 127.0.0.1:9120}, {@code zk1:2181}. */
public record HostPort(String host, int port) {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    public static HostPort parse(String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not host:port; write it like 127.0.0.1:9120");
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + text + "' has a bad host '" + host + "'; write host:port like 127.0.0.1:9120");
        }
        if (host.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            Ipv4.parse(host);
        }
        return new HostPort(host, parsePort(port, text));
    }

    static int parsePort(String port, String whole) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("'" + whole + "' has a bad port; use 1-65535");
        }
        return Integer.parseInt(port);
    }

    /** A valid host name or IPv4 address (no port). */
    public static boolean isHost(String host) {
        return HOST.matcher(host).matches();
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
