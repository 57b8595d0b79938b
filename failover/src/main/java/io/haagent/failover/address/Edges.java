package io.haagent.failover.address;

import io.haagent.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/**
 * The I/O a mover does, gathered so tests can replace it: the EC2 client builder (credentials, endpoint,
 * interceptors), who this instance is, the clock and the pause between polls, the {@code ip} runner, the
 * interface table, and the gratuitous ARP sender.
 */
record Edges(Consumer<Ec2ClientBuilder> ec2, InstanceIdentity identity, Ticker ticker, Pause pause, IpCommand ip,
             NetDevices devices, Announcer announcer) {

    /** Waits between two polls; a real sleep in production. */
    @FunctionalInterface
    interface Pause {
        void pause(Duration d) throws InterruptedException;
    }

    /** Production: the SDK's default chains, IMDSv2, {@code ip} from the PATH, sysfs, an AF_PACKET socket. */
    static Edges system() {
        return new Edges(b -> { }, InstanceIdentity.imds(), Ticker.SYSTEM, Thread::sleep,
                IpCommand.subprocess(List.of(IpCommand.binary())), NetDevices.SYSFS, GratuitousArp.shared());
    }
}
