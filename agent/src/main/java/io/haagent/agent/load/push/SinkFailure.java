package io.haagent.agent.load.push;

/**
 * A sample the sink did not take, in words: {@code reason} for the failure counter, {@code sentence} for the one log
 * line when the sink goes down ("connection refused", "HTTP 503", "timed out after 2s").
 */
public final class SinkFailure extends Exception {
    private final FailureReason reason;

    public SinkFailure(FailureReason reason, String sentence, Throwable cause) {
        super(sentence, cause);
        this.reason = reason;
    }

    public SinkFailure(FailureReason reason, String sentence) {
        this(reason, sentence, null);
    }

    public FailureReason reason() {
        return reason;
    }

    /** What went wrong, short enough for a parenthesis in the log sentence. */
    public String sentence() {
        return getMessage();
    }
}
