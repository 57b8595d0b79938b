package io.haagent.config.load;

import static io.haagent.config.load.Variants.row;

import io.haagent.config.AwsId;
import io.haagent.config.Cidr;
import io.haagent.config.Defaults;
import io.haagent.config.Ipv4;
import io.haagent.config.Secret;
import io.haagent.config.VrrpInstance;
import io.haagent.config.load.Fields.Conv;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Binds what a VRRP role change does: {@code on_master} (promote Redis, move an address) and {@code on_backup}. */
final class VrrpActionBinder {
    private final Values values;

    /** How the address moves to the new master: exactly one of these sub-keys. */
    private final Variants<Conv<VrrpInstance.AddressMove>> movers;

    VrrpActionBinder(Values values) {
        this.values = values;
        this.movers = Variants.of(
                row("eni", values.object(this::eni)),
                row("secondary_ip", values.object(this::secondaryIp)),
                row("local", values.object(this::local)));
    }

    VrrpInstance.OnMaster onMaster(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        Optional<VrrpInstance.RedisPromote> promote = f.opt("redis_promote", values.object(this::redisPromote));
        Optional<VrrpInstance.AddressMove> address = f.opt("address", this::address);
        return f.done(() -> new VrrpInstance.OnMaster(promote, address));
    }

    VrrpInstance.OnBackup onBackup(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        Optional<VrrpInstance.RedisReplicate> replicate = f.opt("redis_replicate", values.object(this::redisReplicate));
        return f.done(() -> new VrrpInstance.OnBackup(replicate));
    }

    private VrrpInstance.RedisPromote redisPromote(Fields p) {
        String host = p.opt("host", values::host, Defaults.REDIS_HOST);
        int port = p.opt("port", values.port(), Defaults.REDIS_PORT);
        Optional<Secret> password = values.secret(p, "password");
        boolean rewrite = p.opt("config_rewrite", values::bool, Defaults.CONFIG_REWRITE);
        Duration maxLinkDown = p.opt("max_link_down", values.positiveDuration(), Defaults.MAX_LINK_DOWN);
        return p.done(() -> new VrrpInstance.RedisPromote(host, port, password, rewrite, maxLinkDown));
    }

    private VrrpInstance.RedisReplicate redisReplicate(Fields r) {
        String host = r.opt("host", values::host, Defaults.REDIS_HOST);
        int port = r.opt("port", values.port(), Defaults.REDIS_PORT);
        int masterPort = r.opt("master_port", values.port(), port);
        Optional<Secret> password = values.secret(r, "password");
        boolean rewrite = r.opt("config_rewrite", values::bool, Defaults.CONFIG_REWRITE);
        return r.done(() -> new VrrpInstance.RedisReplicate(host, port, masterPort, password, rewrite));
    }

    // ---------------------------------------------------------------- address movers

    private VrrpInstance.AddressMove address(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        VrrpInstance.AddressMove move = f.oneOf(movers, "no address mover; add one of "
                + "eni: {...}, secondary_ip: {...} or local: {...}, or remove 'address'");
        return f.done(() -> move);
    }

    private VrrpInstance.AddressMove eni(Fields a) {
        AwsId id = a.req("id", values.awsId(AwsId::eni), "the ENI to move, like eni-0123456789abcdef0");
        Integer index = a.req("device_index", values.integer(1, 31, "; 0 is the primary ENI, which cannot move"),
                "the device index to attach at, like 1");
        Optional<String> region = a.opt("region", values::nonEmpty);
        Optional<URI> endpoint = a.opt("endpoint", values.url());
        Duration force = a.opt("force_detach_after", values.positiveDuration(), Defaults.FORCE_DETACH_AFTER);
        return a.done(() -> new VrrpInstance.Eni(id, index, region, endpoint, force));
    }

    private VrrpInstance.AddressMove secondaryIp(Fields a) {
        Ipv4 ip = a.req("ip", values::ipv4, "the secondary private IP, like 10.0.1.100");
        AwsId eni = a.req("eni", values.awsId(AwsId::eni), "this instance's ENI that takes the IP");
        Optional<String> iface = a.opt("interface", values::iface);
        Optional<String> region = a.opt("region", values::nonEmpty);
        Optional<URI> endpoint = a.opt("endpoint", values.url());
        return a.done(() -> new VrrpInstance.SecondaryIp(ip, eni, iface, region, endpoint));
    }

    private VrrpInstance.AddressMove local(Fields a) {
        Cidr ip = a.req("ip", values::cidr, "the address with prefix length, like 10.0.1.100/24");
        String iface = a.req("interface", values::iface, "the interface to add the address on, like eth0");
        return a.done(() -> new VrrpInstance.LocalAddress(ip, iface));
    }
}
