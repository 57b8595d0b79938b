package io.haagent.failover.address;

import io.haagent.config.Ipv4;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gratuitous ARP: an ARP request whose sender and target IP are both the address, sender MAC this
 * interface's, broadcast to ff:ff:ff:ff:ff:ff — RFC 5227 §3's "ARP Announcement", the form keepalived
 * sends on becoming MASTER and Linux's neighbour code treats as gratuitous ({@code arp_is_garp}).
 *
 * <p>Schedule: {@code count} frames {@code spacing} apart, the first at once on the caller's thread (a
 * missing CAP_NET_RAW is reported by the acquire that needed it), the rest from one daemon thread so the
 * caller does not wait. keepalived's default is a burst of 5 ({@code vrrp_garp_master_repeat}) and
 * another burst 5 s later ({@code vrrp_garp_master_delay}); frames of one burst leave within microseconds
 * and are lost together on a link that is still settling, so ours are spread out instead: 5 frames 1 s
 * apart cover the same 4-5 s window.
 */
final class GratuitousArp implements Announcer {
    private static final Logger log = LoggerFactory.getLogger(GratuitousArp.class);
    static final int DEFAULT_COUNT = 5;
    static final Duration DEFAULT_SPACING = Duration.ofSeconds(1);
    private static final int ETH_P_ARP = 0x0806;
    private static final int ETH_P_IP = 0x0800;
    private static final int MIN_FRAME = 60; // Ethernet minimum without FCS; veths do not pad for us
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final GratuitousArp SHARED = new GratuitousArp(NetDevices.SYSFS, DEFAULT_COUNT, DEFAULT_SPACING);

    private final NetDevices devices;
    private final int count;
    private final Duration spacing;
    private final Map<Ipv4, List<ScheduledFuture<?>>> pending = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService repeats;

    GratuitousArp(NetDevices devices, int count, Duration spacing) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one gratuitous ARP, not " + count);
        }
        this.devices = devices;
        this.count = count;
        this.spacing = spacing;
    }

    static GratuitousArp shared() {
        return SHARED;
    }

    @Override
    public String announce(Ipv4 address, String iface) throws IOException {
        cancel(address);
        sendOne(devices, address, iface);
        if (count == 1) {
            return "sent a gratuitous ARP for " + address + " on " + iface;
        }
        List<ScheduledFuture<?>> scheduled = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            scheduled.add(executor().schedule(() -> {
                try {
                    sendOne(devices, address, iface);
                } catch (IOException | RuntimeException e) {
                    log.warn("gratuitous ARP for {} on {} failed: {}", address, iface, e.getMessage());
                }
            }, spacing.toNanos() * i, TimeUnit.NANOSECONDS));
        }
        pending.put(address, scheduled);
        return "sent a gratuitous ARP for " + address + " on " + iface + ", " + (count - 1) + " more "
                + MoveRecorder.human(spacing) + " apart";
    }

    @Override
    public void cancel(Ipv4 address) {
        List<ScheduledFuture<?>> left = pending.remove(address);
        if (left != null) {
            left.forEach(f -> f.cancel(false));
        }
    }

    /** One announcement out of {@code iface}, now. */
    static void sendOne(NetDevices devices, Ipv4 address, String iface) throws IOException {
        byte[] mac = devices.mac(iface);
        PacketSocket.send(devices.ifindex(iface), BROADCAST, ETH_P_ARP, frame(mac, address));
    }

    /** The Ethernet frame: broadcast header, then the ARP request of RFC 826 with sender = target IP. */
    static byte[] frame(byte[] mac, Ipv4 address) {
        byte[] f = new byte[MIN_FRAME];
        byte[] ip = address.toBytes();
        System.arraycopy(BROADCAST, 0, f, 0, 6);
        System.arraycopy(mac, 0, f, 6, 6);
        f[12] = (byte) (ETH_P_ARP >> 8);
        f[13] = (byte) ETH_P_ARP;
        f[14] = 0; // hardware type: Ethernet (1)
        f[15] = 1;
        f[16] = (byte) (ETH_P_IP >> 8); // protocol type: IPv4
        f[17] = (byte) ETH_P_IP;
        f[18] = 6; // hardware address length
        f[19] = 4; // protocol address length
        f[20] = 0; // operation: request (1)
        f[21] = 1;
        System.arraycopy(mac, 0, f, 22, 6); // sender MAC
        System.arraycopy(ip, 0, f, 28, 4); // sender IP
        // target MAC stays zero: RFC 5227 §2.3 — ignored in an announcement
        System.arraycopy(ip, 0, f, 38, 4); // target IP = sender IP: what makes it gratuitous
        return f;
    }

    private ScheduledExecutorService executor() {
        ScheduledExecutorService e = repeats;
        if (e == null) {
            synchronized (this) {
                if (repeats == null) {
                    repeats = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "haagent-garp");
                        t.setDaemon(true);
                        return t;
                    });
                }
                e = repeats;
            }
        }
        return e;
    }
}
