package io.haagent.failover.address;

import io.haagent.failover.step.TimedStep;
import java.util.List;

/**
 * The one failure of an {@link AddressMover}: its message is the operator sentence (what failed, what
 * was already done, what to do), {@link #steps()} the steps done before it. The next call of the same
 * method goes on from where this one stopped.
 */
public final class AddressMoveException extends Exception {
    private final transient List<TimedStep> steps;

    AddressMoveException(String sentence, List<TimedStep> steps, Throwable cause) {
        super(sentence, cause);
        this.steps = List.copyOf(steps);
    }

    /** The steps done before the failure, in order. */
    public List<TimedStep> steps() {
        return steps;
    }
}
