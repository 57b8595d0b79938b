package io.haagent.aws;

/**
 * The caller's part of the hint after an EC2 error: {@link Ec2Calls} words what every caller shares
 * (credentials refused, access denied, throttled, no region, no credentials, endpoint unreachable) and
 * asks the caller for the rest, whose words name its own config and resources.
 *
 * @param configKey the config block an operator edits: {@code escalate.vm}, {@code on_master.address.eni}
 * @param grant     what the IAM policy must allow, for AccessDenied: {@code ec2:A and ec2:B}, with
 *                  {@code on i-...} where the caller names the resource
 * @param own       the hint for any other error code
 */
public record Ec2Hints(String configKey, String grant, Own own) {

    /** The caller's hint for an error code the shared ones do not cover. */
    @FunctionalInterface
    public interface Own {
        /**
         * @param region the client's region, {@code none} without one
         */
        String hint(String code, String operation, String region);
    }
}
