package io.haagent.failover.vrrp.instance;

import io.haagent.failover.vrrp.wire.DropReason;

/**
 * Why an instance refused an arrived datagram. The {@link #label()}s are the {@code reason} label of the
 * dropped-adverts metric: never rename one, only add.
 */
public enum AdvertDrop {
    /** {@link DropReason#TOO_SHORT}: fewer bytes than the 8-byte VRRP header. */
    TOO_SHORT("too_short"),
    /** {@link DropReason#BAD_VERSION}: version nibble neither 2 nor 3. */
    BAD_VERSION("bad_version"),
    /** {@link DropReason#BAD_TYPE}: not an advertisement. */
    BAD_TYPE("bad_type"),
    /** {@link DropReason#BAD_VRID}: vrid 0. */
    BAD_VRID("bad_vrid"),
    /** {@link DropReason#BAD_LENGTH}: the length does not fit the address count. */
    BAD_LENGTH("bad_length"),
    /** {@link DropReason#BAD_CHECKSUM}: the VRRP checksum does not match. */
    BAD_CHECKSUM("bad_checksum"),
    /** {@link DropReason#BAD_AUTH_TYPE}: a v2 auth type other than 0 or 1. */
    BAD_AUTH_TYPE("bad_auth_type"),
    /** {@link DropReason#ZERO_INTERVAL}: advert interval 0. */
    ZERO_INTERVAL("zero_interval"),
    /** The source is not among the instance's {@code unicast.peers}. */
    NOT_A_PEER("not_a_peer"),
    /** A well-formed advert of another virtual router (vrid) than this instance's. */
    WRONG_VRID("wrong_vrid"),
    /** A well-formed advert of the other VRRP version than this instance's {@code version}. */
    WRONG_VERSION("wrong_version"),
    /** Arrived with an IP TTL below {@code unicast.min_ttl} (ip transport only; udp cannot see the TTL). */
    BAD_TTL("bad_ttl"),
    /**
     * Authentication failed: the auth type differs from ours, the password is wrong, or the HMAC seal is
     * missing or does not verify.
     */
    BAD_AUTH("bad_auth"),
    /**
     * HMAC only: a correctly sealed advert whose counter was already seen, that is too old to trust, or that an
     * earlier run of the peer sealed.
     */
    REPLAYED("replayed"),
    /** HMAC only: a correctly sealed advert whose counter is too far ahead of our clock: the clocks disagree. */
    CLOCK_AHEAD("clock_ahead");

    private final String label;

    AdvertDrop(String label) {
        this.label = label;
    }

    /** The stable metric label, snake_case. */
    public String label() {
        return label;
    }

    /** The drop for a codec's {@link DropReason}, one to one. */
    public static AdvertDrop of(DropReason r) {
        return switch (r) {
            case TOO_SHORT -> TOO_SHORT;
            case BAD_VERSION -> BAD_VERSION;
            case BAD_TYPE -> BAD_TYPE;
            case BAD_VRID -> BAD_VRID;
            case BAD_LENGTH -> BAD_LENGTH;
            case BAD_CHECKSUM -> BAD_CHECKSUM;
            case BAD_AUTH_TYPE -> BAD_AUTH_TYPE;
            case ZERO_INTERVAL -> ZERO_INTERVAL;
        };
    }
}
