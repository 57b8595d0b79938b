package io.haagent.config;

/** An address with its prefix length, as {@code ip addr add} takes it: {@code 10.0.1.100/24}. */
public record Cidr(Ipv4 address, int prefixLength) {

    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no prefix length; write it like 10.0.1.100/24");
        }
        Ipv4 address = Ipv4.parse(text.substring(0, slash));
        String len = text.substring(slash + 1).strip();
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit) || Integer.parseInt(len) > 32) {
            throw new IllegalArgumentException("'" + text + "' has a bad prefix length; use 0-32, like 10.0.1.100/24");
        }
        return new Cidr(address, Integer.parseInt(len));
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
