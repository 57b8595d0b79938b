package io.haagent.failover.vrrp.wire;

/** The v2 Auth Type field (RFC 3768 §5.3.6, and RFC 2338's simple password that keepalived still sends). */
public enum AuthType {
    /** 0: no authentication; the 8 authentication bytes are sent as zeros and ignored. */
    NONE(0),
    /** 1: the 8 authentication bytes carry keepalived's {@code auth_pass}, zero-padded or truncated to 8. */
    PASS(1);

    private final int code;

    AuthType(int code) {
        this.code = code;
    }

    /** The value of the Auth Type byte. */
    public int code() {
        return code;
    }
}
