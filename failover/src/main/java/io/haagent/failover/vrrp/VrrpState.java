package io.haagent.failover.vrrp;

/**
 * The states of RFC 3768 §6.4 / RFC 5798 §6.4, plus keepalived's FAULT. The codes are exported as a
 * metric and written to the state file: they must never change.
 */
public enum VrrpState {
    /** RFC 5798 §6.4.1: waiting for a Startup event; also where a stopped instance rests. */
    INIT(0),
    /** RFC 5798 §6.4.2: monitoring the master, taking over when it goes silent. */
    BACKUP(1),
    /** RFC 5798 §6.4.3: owns the addresses and sends adverts. */
    MASTER(2),
    /** keepalived: a tracked check with weight 0 is down; neither sends nor takes over. */
    FAULT(3);

    /** For the metric's help text, as Patroni writes its {@code # Values:} legend. */
    public static final String LEGEND = "0=INIT, 1=BACKUP, 2=MASTER, 3=FAULT";

    private final int code;

    VrrpState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The word for entering this state, in the log, the state file, the notify hooks and mail: INIT is only
     * ever entered by stopping, and keepalived's notify calls that STOP, so it is STOP everywhere. As a
     * state left ({@code HAAGENT_PREVIOUS_STATE}, "INIT -> BACKUP") INIT is the start, and keeps its name.
     */
    public String enteredAs() {
        return this == INIT ? "STOP" : name();
    }
}
