package io.haagent.failover.address;

import io.haagent.aws.AwsEdges;
import io.haagent.time.Ticker;
import java.util.List;

/**
 * The I/O a mover does, gathered so tests can replace it: the AWS side (the EC2 client builder, the
 * clock and the pause between polls), who this instance is, the {@code ip} runner, the interface table,
 * and the gratuitous ARP sender.
 */
record Edges(AwsEdges aws, InstanceIdentity identity, IpCommand ip, NetDevices devices, Announcer announcer) {

    /** Production: the SDK's default chains, IMDSv2, {@code ip} from the PATH, sysfs, an AF_PACKET socket. */
    static Edges system() {
        return new Edges(AwsEdges.SYSTEM, InstanceIdentity.imds(AwsEdges.SYSTEM.identity()),
                IpCommand.subprocess(List.of(IpCommand.binary())), NetDevices.SYSFS, GratuitousArp.shared());
    }

    /** The clock the steps are timed on and the polls bounded by. */
    Ticker ticker() {
        return aws.ticker();
    }
}
