package io.haagent.failover.vrrp.instance;

import java.security.SecureRandom;

/**
 * Event ids as the healer writes them: eight Crockford base-32 characters (40 bits), short enough to
 * read aloud and grep for across the log, the state file and the notify hooks' environment.
 */
final class EventIds {
    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford: no i, l, o, u
    // Ids from two hosts end up in the same mail thread; a seeded PRNG per process could repeat after restarts.
    private static final SecureRandom RANDOM = new SecureRandom();

    private EventIds() {}

    static String next() {
        long r = RANDOM.nextLong();
        char[] c = new char[8];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET.charAt((int) (r & 31));
            r >>>= 5;
        }
        return new String(c);
    }
}
