package io.haagent.aws;

/**
 * An AWS call that failed, in words: the message is one sentence an operator acts on (what failed, the
 * code, the request id, a hint); {@link #retryable()}: looking again later may find it done or doable.
 * The cause is the SDK's exception.
 */
public final class AwsFailure extends Exception {
    private final boolean retryable;
    private final String operation;
    private final String code;

    public AwsFailure(String sentence, boolean retryable, Throwable cause) {
        this(sentence, retryable, "", "", cause);
    }

    public AwsFailure(String sentence, boolean retryable, String operation, String code, Throwable cause) {
        super(sentence, cause, false, false);
        this.retryable = retryable;
        this.operation = operation;
        this.code = code;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The API operation ({@code AttachNetworkInterface}), or empty when no call was made. */
    public String operation() {
        return operation;
    }

    /** AWS's error code ({@code InternalError}), {@code HTTP 503}, or the SDK exception's class name. */
    public String code() {
        return code;
    }
}
