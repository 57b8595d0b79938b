package io.haagent.failover.address;

import io.haagent.aws.AwsFailure;
import io.haagent.aws.Ec2Calls;
import io.haagent.aws.Ec2Hints;
import io.haagent.aws.Poll;
import io.haagent.config.Cidr;
import io.haagent.config.VrrpInstance;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;

/**
 * {@code secondary_ip}: {@code AssignPrivateIpAddresses} of the address to this instance's own ENI with
 * {@code AllowReassignment=true} — which takes it from whichever ENI had it, in one call — then
 * {@code ip addr add <ip>/32 dev <iface>}. Release only removes it from the interface: the new master's
 * assign moves it in EC2, and unassigning it here could race with that assign.
 *
 * <p>Why {@code /32} and not the subnet's prefix: the subnet route already exists through the primary
 * address, so a second {@code /24} adds nothing but a duplicate connected route; as its own {@code /32}
 * the address is never a "secondary" of the primary one, so neither deleting it touches the primary nor
 * does a removal of the primary (with {@code promote_secondaries} off) silently take it along; and it is
 * what keepalived itself adds for a {@code virtual_ipaddress} written without a prefix. No gratuitous
 * ARP: in a VPC the hypervisor answers ARP from EC2's own mapping, which the assign has just changed.
 *
 * <p>The interface is {@code secondary_ip.interface}, else the one whose MAC is the ENI's.
 */
final class SecondaryIpMover implements AddressMover {
    static final String PERMISSIONS = "ec2:DescribeNetworkInterfaces and ec2:AssignPrivateIpAddresses";
    private static final String CONFIG = "on_master.address.secondary_ip";
    private static final Ec2Hints HINTS = Enis.hints(CONFIG, PERMISSIONS);

    private final VrrpInstance.SecondaryIp spec;
    private final AddressMovers.Timeouts timeouts;
    private final Edges edges;
    private final InterfaceAddresses addresses;
    private final Cidr host;

    SecondaryIpMover(VrrpInstance.SecondaryIp spec, AddressMovers.Timeouts timeouts, Edges edges) {
        this.spec = spec;
        this.timeouts = timeouts;
        this.edges = edges;
        this.addresses = new InterfaceAddresses(edges.ip());
        this.host = new Cidr(spec.ip(), 32);
    }

    @Override
    public String describe() {
        return "secondary_ip " + spec.ip() + " on " + spec.eni() + spec.iface().map(i -> " (" + i + ")").orElse("");
    }

    /** One EC2 call that may be retried. */
    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws AwsFailure;
    }

    @Override
    public MoveResult acquire() throws AddressMoveException {
        MoveRecorder steps = new MoveRecorder(edges.ticker());
        String me = steps.thisInstance(edges.identity(), prefix());
        String eniId = spec.eni().value();
        String ip = spec.ip().toString();
        Poll poll = edges.aws().poll(timeouts.deadline(), timeouts.polls());
        try (Ec2Calls api = Ec2Calls.open(spec.region(), spec.endpoint(), timeouts.call(), edges.aws().ec2(), HINTS)) {
            long t = steps.now();
            NetworkInterface eni = retrying(steps, poll, () -> Enis.describe(api, eniId, CONFIG));
            String owner = eni.attachment() == null ? null : eni.attachment().instanceId();
            if (!me.equals(owner)) {
                throw steps.failure(prefix() + eniId + " is " + (owner == null ? "not attached to any instance"
                        : "attached to " + owner) + ", not to this instance " + me + "; " + CONFIG + ".eni must be"
                        + " this host's own ENI (each host's config names its own)", null);
            }
            boolean assigned = eni.privateIpAddresses().stream().map(NetworkInterfacePrivateIpAddress::privateIpAddress)
                    .anyMatch(ip::equals);
            if (assigned) {
                steps.add("already assigned to " + eniId, t);
            } else {
                t = steps.now();
                retrying(steps, poll, () -> api.call("AssignPrivateIpAddresses", () -> api.client()
                        .assignPrivateIpAddresses(r -> r.networkInterfaceId(eniId).privateIpAddresses(ip)
                                .allowReassignment(true))));
                steps.add("AssignPrivateIpAddresses to " + eniId + " with AllowReassignment", t);
            }
            String iface = spec.iface().isPresent() ? spec.iface().get() : interfaceOf(eni, steps);
            t = steps.now();
            boolean added = addresses.add(host, iface);
            steps.add(added ? "ip addr add " + host + " dev " + iface : "already on " + iface, t);
            boolean changed = added || !assigned;
            return steps.result(prefix() + (changed ? "moved to " : "was already on ") + "this instance " + me + " ("
                    + eniId + ", " + iface + ")"
                    + (changed ? " in " + MoveRecorder.human(steps.total()) : "; nothing to do"), changed);
        } catch (AwsFailure e) {
            throw steps.failure(prefix() + steps.doneSoFar() + e.getMessage(), e.getCause());
        } catch (IOException e) {
            throw steps.failure(prefix() + steps.doneSoFar() + e.getMessage() + "; the next acquire tries again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw steps.failure(prefix() + steps.doneSoFar() + "interrupted (the agent is stopping); the next acquire"
                    + " goes on from there", e);
        } catch (RuntimeException e) { // the contract: nothing but AddressMoveException escapes
            throw steps.failure(prefix() + steps.doneSoFar() + "unexpected failure: " + e, e);
        }
    }

    @Override
    public MoveResult release() throws AddressMoveException {
        MoveRecorder steps = new MoveRecorder(edges.ticker());
        try {
            // Where it is, from the host itself: a release must work when the EC2 API does not answer.
            List<String> ifaces = spec.iface().isPresent() ? spec.iface().stream().toList()
                    : addresses.holders(spec.ip());
            boolean removed = false;
            for (String iface : ifaces) {
                long t = steps.now();
                if (addresses.delete(host, iface)) {
                    removed = true;
                    steps.add("ip addr del " + host + " dev " + iface, t);
                }
            }
            return steps.result(prefix() + (removed ? "removed from this host; the new master's assign moves it in"
                    + " EC2" : "was not on this host; nothing to do"), removed);
        } catch (IOException e) {
            throw steps.failure(prefix() + steps.doneSoFar() + e.getMessage() + "; the next release tries again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw steps.failure(prefix() + steps.doneSoFar() + "interrupted (the agent is stopping); the next release"
                    + " tries again", e);
        }
    }

    private String interfaceOf(NetworkInterface eni, MoveRecorder steps) throws IOException, AddressMoveException {
        String mac = eni.macAddress();
        Optional<String> iface = mac == null ? Optional.empty() : edges.devices().byMac(mac);
        if (iface.isEmpty()) {
            throw steps.failure(prefix() + steps.doneSoFar() + "no interface on this host has the MAC address of "
                    + eni.networkInterfaceId() + " (" + mac + "); set " + CONFIG + ".interface", null);
        }
        return iface.get();
    }

    /** Runs the attempt, again after a pause while it fails transiently, until the deadline. */
    private <T> T retrying(MoveRecorder steps, Poll poll, Attempt<T> attempt) throws AwsFailure, InterruptedException {
        while (true) {
            try {
                return attempt.run();
            } catch (AwsFailure e) {
                if (!e.retryable() || poll.expired()) {
                    throw e;
                }
                steps.add(e.operation() + " failed with " + e.code() + "; retrying", steps.now());
                poll.pause();
            }
        }
    }

    private String prefix() {
        return "secondary_ip " + spec.ip() + ": ";
    }
}
