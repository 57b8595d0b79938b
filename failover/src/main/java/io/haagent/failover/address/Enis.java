package io.haagent.failover.address;

import io.haagent.aws.AwsFailure;
import io.haagent.aws.Ec2Calls;
import io.haagent.aws.Ec2Hints;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;

/** What the two EC2 movers share about an ENI: how it is described, and the words for its errors. */
final class Enis {

    private Enis() {}

    /**
     * The hints for a mover's EC2 errors.
     *
     * @param configKey   the config block: {@code on_master.address.eni}
     * @param permissions the IAM actions the mover needs, for the hint on AccessDenied
     */
    static Ec2Hints hints(String configKey, String permissions) {
        return new Ec2Hints(configKey, permissions, (code, operation, region) -> switch (code) {
            case "InvalidNetworkInterfaceID.NotFound", "InvalidNetworkInterfaceID.Malformed" -> "check " + configKey
                    + " and the region (" + region + "): the ENI must exist there";
            default -> Ec2Calls.transientCode(code) ? "EC2 is still changing the ENI; the next attempt goes on from"
                    + " where it is" : "check " + configKey + ", the credentials (they need " + permissions
                    + "), the region (" + region + ") and the endpoint";
        });
    }

    /** The ENI as EC2 sees it now. */
    static NetworkInterface describe(Ec2Calls ec2, String eniId, String configKey) throws AwsFailure {
        return ec2.call("DescribeNetworkInterfaces", () -> ec2.client()
                        .describeNetworkInterfaces(r -> r.networkInterfaceIds(eniId)))
                .networkInterfaces().stream()
                .filter(n -> eniId.equals(n.networkInterfaceId()))
                .findFirst()
                .orElseThrow(() -> new AwsFailure("DescribeNetworkInterfaces failed: no ENI " + eniId + " in the"
                        + " answer; check " + configKey + " and the region (" + ec2.region() + ")", false, null));
    }
}
