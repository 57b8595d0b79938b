package io.haagent.failover.lease;

import java.time.Duration;

/**
 * What the lease decision needs from one instance's {@code coordination.zookeeper}, in nanos.
 *
 * @param instance            the instance name, the prefix of every sentence
 * @param sessionTimeoutNanos the ZooKeeper session timeout as negotiated with the server (the server may grant
 *                            another one than asked for: pass what the client reports)
 * @param marginPercent       the part of the session timeout the holder does not count on, 1..50: room for the
 *                            demotion itself to finish before the server can expire the session and a peer acquire
 * @param failsafeWindowNanos how recently the peer must have advertised as a lower-priority BACKUP for the master
 *                            to keep MASTER past its deadline
 */
public record LeaseParams(String instance, long sessionTimeoutNanos, int marginPercent, long failsafeWindowNanos) {

    /** The margin when none is given: 2 s of a 10 s session for the demotion to finish. */
    public static final int DEFAULT_MARGIN_PERCENT = 20;
    /**
     * The failsafe window in advert intervals: fewer than the 3 of the peer's Master_Down_Interval (RFC 5798 §6.1), so a
     * master that stops hearing its peer leaves before that peer can have won the election.
     */
    public static final int FAILSAFE_ADVERTS = 2;
    /** Renewals per session timeout ("every session_timeout / 6 or so", issue 14). */
    static final int RENEWALS_PER_SESSION = 6;

    public LeaseParams {
        if (sessionTimeoutNanos <= 0) {
            throw new IllegalArgumentException("(" + instance + ") lease session timeout must be positive, got "
                    + sessionTimeoutNanos + " ns");
        }
        if (marginPercent < 1 || marginPercent > 50) {
            throw new IllegalArgumentException("(" + instance + ") lease margin must be 1..50 percent, got "
                    + marginPercent);
        }
        if (failsafeWindowNanos < 0) {
            throw new IllegalArgumentException("(" + instance + ") failsafe window must not be negative, got "
                    + failsafeWindowNanos + " ns");
        }
    }

    /** The defaults: a 20 % margin and a failsafe window of {@link #FAILSAFE_ADVERTS} advert intervals. */
    public static LeaseParams of(String instance, Duration sessionTimeout, Duration advertInterval) {
        return new LeaseParams(instance, sessionTimeout.toNanos(), DEFAULT_MARGIN_PERCENT,
                FAILSAFE_ADVERTS * advertInterval.toNanos());
    }

    /**
     * How long after a request was sent the holder may count on its session: the server had not expired it when it
     * answered, and it expires a session only a whole session timeout after it last heard from the client.
     */
    long trustedNanos() {
        return sessionTimeoutNanos / 100 * (100 - marginPercent);
    }

    long renewEveryNanos() {
        return sessionTimeoutNanos / RENEWALS_PER_SESSION;
    }
}
