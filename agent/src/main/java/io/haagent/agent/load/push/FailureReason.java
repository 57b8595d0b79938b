package io.haagent.agent.load.push;

/**
 * Why a sink refused a sample, as the closed set the failure counter is labelled with
 * ({@code haagent_load_push_failures_total{reason}}); the codes never change meaning (STYLE §7).
 */
public enum FailureReason {
    /** The sink could not be reached: connection refused, no route, DNS, a ZooKeeper connection loss. */
    CONNECT("connect"),
    /** Reached, but no answer within the timeout. */
    TIMEOUT("timeout"),
    /** The http sink answered, with a status other than 2xx (401 and 403 count as {@link #AUTH}). */
    HTTP_STATUS("http_status"),
    /** The sink refused our credentials: a Redis password, an HTTP 401/403, a ZooKeeper ACL. */
    AUTH("auth"),
    /** Anything else: a Redis error reply, a malformed answer. */
    OTHER("other");

    private final String label;

    FailureReason(String label) {
        this.label = label;
    }

    /** The metric label value. */
    public String label() {
        return label;
    }
}
