package io.haagent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Every default of the config, in one place; the README's config reference quotes these. */
public final class Defaults {
    private Defaults() {}

    public static final Path CONFIG_FILE = Path.of("/etc/haagent/haagent.yaml");

    public static final HostPort ADMIN_LISTEN = new HostPort("127.0.0.1", 9120);
    public static final Path STATE_DIR = Path.of("/var/lib/haagent");
    public static final int BUDGET_MAX_RESTARTS = 10;
    public static final Duration BUDGET_WITHIN = Duration.ofMinutes(1);

    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(10);
    /** Capped at half the interval so that a short interval alone never makes a bad config. */
    public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);
    public static final int RISE = 2;
    public static final int FALL = 3;
    /** A check's flips are mailed ({@code check_down}, {@code check_up}) unless it says {@code notify: false}. */
    public static final boolean CHECK_NOTIFY = true;
    /** HTTP statuses counted as up: 2xx and 3xx, as HAProxy and keepalived's HTTP_GET do. */
    public static final List<CheckSpec.StatusRange> HTTP_EXPECT_STATUS = List.of(new CheckSpec.StatusRange(200, 399));
    public static final String REDIS_HOST = "127.0.0.1";
    public static final int REDIS_PORT = 6379;
    public static final int DISK_MAX_USED_PERCENT = 90;

    public static final ServiceSpec.StopSignal STOP_SIGNAL = ServiceSpec.StopSignal.TERM;
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration START_GRACE = Duration.ofSeconds(10);
    /** A restart_command is killed, group and all, after this: long enough for a service's own stop and start. */
    public static final Duration RESTART_COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /** An escalation's {@code type: command} is killed after this: a VM takes minutes to stop and boot. */
    public static final Duration VM_COMMAND_TIMEOUT = Duration.ofSeconds(300);
    public static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    public static final Duration BACKOFF_MAX = Duration.ofSeconds(60);
    public static final int MAX_RESTARTS = 5;
    public static final Duration RESTART_WITHIN = Duration.ofMinutes(10);

    public static final int VRRP_PRIORITY = 100;
    public static final Duration ADVERT_INTERVAL = Duration.ofSeconds(1);
    /** keepalived's default, so that replacing one keepalived of a pair needs no protocol change. */
    public static final int VRRP_VERSION = 2;
    public static final VrrpInstance.Transport TRANSPORT = VrrpInstance.Transport.IP;
    /** RFC 5798 §6.1: Preempt_Mode defaults to True; keepalived does the same. */
    public static final boolean PREEMPT = true;
    public static final Duration PREEMPT_DELAY = Duration.ZERO;
    /** The udp transport's port when {@code unicast.port} is not given. */
    public static final int VRRP_UDP_PORT = 9112;
    public static final int TRACK_WEIGHT = 0;
    /** RFC 5798 §7.1: an advert must arrive with TTL 255, so it cannot come from beyond the link. */
    public static final int VRRP_MIN_TTL = 255;
    public static final Duration NOTIFY_TIMEOUT = Duration.ofSeconds(10);
    public static final boolean CONFIG_REWRITE = true;
    public static final Duration MAX_LINK_DOWN = Duration.ofSeconds(10);
    public static final Duration FORCE_DETACH_AFTER = Duration.ofSeconds(30);

    public static final int SMTP_PORT = 587;
    public static final boolean SMTP_STARTTLS = true;

    public static final Duration PUSH_INTERVAL = Duration.ofSeconds(10);
    /** An hour of samples at the default interval: an hour-long sink outage loses nothing. */
    public static final int PUSH_BUFFER = 360;
    public static final Duration PUSH_HTTP_TIMEOUT = Duration.ofSeconds(5);
    public static final List<Path> PUSH_MOUNTS = List.of(Path.of("/"));
    public static final String REDIS_SINK_KEY = "scaler:load:{role}:{node}";
    /** The sorted set of a role's hosts, scored by their last sample's time: every live host in one read. */
    public static final String REDIS_SINK_HOSTS_KEY = "scaler:hosts:{role}";

    public static final Duration ZK_SESSION_TIMEOUT = Duration.ofSeconds(10);
    /** Where haagent keeps its nodes (leases under {@code <path>/lease}), below the connect string's chroot. */
    public static final String ZK_PATH = "/haagent";

    /**
     * The addresses an advert lists when {@code addresses} is not given: the address the master takes
     * ({@code local} or {@code secondary_ip}), as keepalived lists its {@code virtual_ipaddress}; none for an ENI.
     */
    public static List<Ipv4> advertAddresses(VrrpInstance.OnMaster onMaster) {
        return onMaster.address().<List<Ipv4>>map(a -> switch (a) {
            case VrrpInstance.LocalAddress l -> List.of(l.ip().address());
            case VrrpInstance.SecondaryIp s -> List.of(s.ip());
            case VrrpInstance.Eni e -> List.of();
        }).orElse(List.of());
    }

    /** A check's timeout when none is given: 2s, but never more than half its interval. */
    public static Duration checkTimeout(Duration interval) {
        Duration half = interval.dividedBy(2);
        return half.compareTo(CHECK_TIMEOUT) < 0 ? half : CHECK_TIMEOUT;
    }

    /** Hear the peers for three adverts after boot before taking MASTER. */
    public static Duration startupDelay(Duration advertInterval) {
        return advertInterval.multipliedBy(3);
    }

    /** A Redis sink key outlives three missed pushes, then the scaler stops counting this host. */
    public static Duration redisSinkTtl(Duration pushInterval) {
        return pushInterval.multipliedBy(3);
    }
}
