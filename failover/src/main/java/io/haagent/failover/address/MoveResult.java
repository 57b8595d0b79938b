package io.haagent.failover.address;

import io.haagent.failover.step.TimedStep;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What an {@link AddressMover} call did: the steps, each with how long it took (for the mail body), and
 * one past-tense sentence for the log.
 *
 * @param sentence one operator sentence, e.g. {@code "eni eni-0a1b: moved from i-0a to this instance
 *                 i-0b at device index 1 in 2.5s"}
 * @param steps    in the order they were done; empty when there was nothing to do
 * @param changed  whether anything on the host or in EC2 was changed (false: a no-op)
 */
public record MoveResult(String sentence, List<TimedStep> steps, boolean changed) {

    public MoveResult {
        steps = List.copyOf(steps);
    }

    /** The steps one a line, {@code "  DetachNetworkInterface from i-0a (1.2s)"}, for the mail body. */
    public String stepsText() {
        return steps.stream().map(s -> "  " + s.what() + " (" + MoveRecorder.human(s.took()) + ")")
                .collect(Collectors.joining("\n"));
    }
}
