package io.haagent.event;

import java.security.SecureRandom;

/**
 * Event ids: eight Crockford base-32 characters (40 bits), short enough to read aloud and grep for across
 * the log, the state file, the notify hooks' environment and the mail. One format for every part of the
 * agent (healing, VRRP, mail), so an operator greps one shape.
 */
public final class EventIds {
    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford: no i, l, o, u
    // Ids from two hosts end up in the same mail thread; a seeded PRNG per process could repeat after restarts.
    private static final SecureRandom RANDOM = new SecureRandom();

    private EventIds() {}

    /** A fresh random id. */
    public static String next() {
        return format(RANDOM.nextLong());
    }

    /** The id of 40 bits of {@code bits}: for a caller that draws them itself (a pure, seeded decision). */
    public static String format(long bits) {
        char[] c = new char[8];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET.charAt((int) (bits & 31));
            bits >>>= 5;
        }
        return new String(c);
    }
}
