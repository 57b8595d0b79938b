package io.haagent.failover.address;

import io.haagent.config.Ipv4;

/**
 * Sends gratuitous ARPs from inside a network namespace: {@link LocalAddressNetnsTest} runs it with
 * {@code ip netns exec <ns> java ...}, because a packet socket belongs to the namespace of the process
 * that opens it, and sysfs there shows that namespace's interfaces.
 *
 * <p>Arguments: interface, address, count, spacing in milliseconds.
 */
public final class GarpMain {
    private GarpMain() {}

    public static void main(String[] args) throws Exception {
        String iface = args[0];
        Ipv4 address = Ipv4.parse(args[1]);
        int count = Integer.parseInt(args[2]);
        long spacingMillis = Long.parseLong(args[3]);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                Thread.sleep(spacingMillis);
            }
            GratuitousArp.sendOne(NetDevices.SYSFS, address, iface);
        }
        System.out.println("sent " + count);
    }
}
