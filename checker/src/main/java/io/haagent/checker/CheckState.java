package io.haagent.checker;

/**
 * A check's state after rise/fall. The codes are stable: they go into metrics and state files and
 * never change meaning.
 */
public enum CheckState {
    /** No result yet since the check was (re)started. */
    UNKNOWN(0),
    /** The first result was a success, or {@code rise} successes came in a row since it was down. */
    UP(1),
    /** The first result was a failure, or {@code fall} failures came in a row since it was up. */
    DOWN(2);

    private final int code;

    CheckState(int code) {
        this.code = code;
    }

    /** The stable numeric code: 0 unknown, 1 up, 2 down. */
    public int code() {
        return code;
    }
}
