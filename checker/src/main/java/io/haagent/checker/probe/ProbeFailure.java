package io.haagent.checker.probe;

/** A failure whose message is already the reason an operator should read. */
final class ProbeFailure extends Exception {
    ProbeFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
