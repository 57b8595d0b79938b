package io.haagent.agent.supervise;

/**
 * A restart (of a service or a VM) did not succeed. Every {@link Restarter} translates its own
 * failures into this one type, with a message that says what ran and what it answered, so the
 * actuator catches one type and the operator reads one line.
 */
public class RestartFailedException extends Exception {
    public RestartFailedException(String message) {
        super(message);
    }

    public RestartFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
