package io.haagent.config;

/** An IPv4 address. VRRP over IPv4 is what keepalived's unicast peers speak, so this is all we accept. */
public record Ipv4(int bits) implements Comparable<Ipv4> {

    public static Ipv4 parse(String text) {
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address; write four numbers 0-255, like 10.0.1.10");
        }
        int bits = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address; write four numbers 0-255, like 10.0.1.10");
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: " + octet
                        + " is above 255; write four numbers 0-255, like 10.0.1.10");
            }
            bits = (bits << 8) | octet;
        }
        return new Ipv4(bits);
    }

    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    public boolean isLoopback() {
        return (bits >>> 24) == 127;
    }

    @Override
    public int compareTo(Ipv4 o) {
        return Integer.compareUnsigned(bits, o.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 255) + "." + ((bits >>> 8) & 255) + "." + (bits & 255);
    }
}
