package io.haagent.lint;

import io.haagent.config.CheckSpec;
import io.haagent.config.Defaults;
import io.haagent.config.Durations;
import io.haagent.config.HaagentConfig;
import io.haagent.config.Ipv4;
import io.haagent.config.ScalerPush;
import io.haagent.config.Secret;
import io.haagent.config.ServiceSpec;
import io.haagent.config.VrrpInstance.Peer;
import io.haagent.config.VrrpInstance.Transport;
import io.haagent.config.VrrpInstance;
import io.haagent.config.ZookeeperConfig;
import io.haagent.config.load.FileRef;
import io.haagent.config.load.LoadResult;
import io.haagent.config.load.SourceMap;
import io.haagent.lint.finding.DidYouMean;
import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The second pass over one file: rules that relate several fields, on the config as far as it bound. */
final class FileRules {
    private final LoadResult loaded;
    private final HaagentConfig c;
    private final SourceMap src;
    private final List<Finding> out = new ArrayList<>();
    private static final Duration ZK_MIN_SESSION = Duration.ofSeconds(4);
    private static final Duration ZK_MAX_SESSION = Duration.ofSeconds(40);

    private FileRules(LoadResult loaded) {
        this.loaded = loaded;
        this.c = loaded.bound();
        this.src = loaded.source();
    }

    static List<Finding> check(LoadResult loaded) {
        FileRules r = new FileRules(loaded);
        r.checks();
        r.services();
        r.dependencyCycles();
        r.vrrp();
        r.duplicateVrids();
        r.scaler();
        r.coordination();
        r.secretFileModes();
        return r.out;
    }

    private void add(Rule rule, String path, String message) {
        out.add(new Finding(loaded.file(), src.at(path), rule, path + ": " + message));
    }

    private void checks() {
        // Every check's timing, bound or not: a check with another error still has this one (issue 12).
        loaded.checkTimings().forEach((p, t) -> {
            if (t.timeout().compareTo(t.interval()) >= 0) {
                add(Rule.CHECK_TIMEOUT_INTERVAL, src.has(p + ".timeout") ? p + ".timeout" : p + ".interval",
                        "timeout " + Durations.format(t.timeout()) + " is not below interval " + Durations.format(t.interval())
                                + "; a check must finish before the next one starts, so lower the timeout or raise the interval");
            }
        });
        c.checks().forEach((name, check) -> {
            String p = "checks." + name;
            if (!check.timing().notifies() && !usedChecks().contains(name)) {
                add(Rule.CHECK_UNHEARD, p + ".notify", "no service or VRRP instance uses this check and notify: false"
                        + " silences its mail, so nobody is told when it goes down; remove notify: false, or the check");
            }
            if (check instanceof CheckSpec.Http h && !h.tlsVerify() && "https".equals(h.url().getScheme())) {
                add(Rule.HTTP_TLS_VERIFY_OFF, p + ".tls_verify", "certificates are not verified, so anyone on the path "
                        + "can answer this check; verify them (remove tls_verify: false) unless the target has no valid certificate");
            }
        });
    }

    /** The checks a service or a VRRP instance's {@code track} names. */
    private Set<String> usedChecks() {
        Set<String> used = new HashSet<>();
        c.services().values().forEach(s -> used.addAll(s.checks()));
        c.vrrp().values().forEach(v -> v.track().forEach(t -> used.add(t.check())));
        return used;
    }

    private void services() {
        c.services().forEach((name, s) -> {
            String p = "services." + name;
            for (int i = 0; i < s.checks().size(); i++) {
                unknownRef(Rule.REF_UNKNOWN_CHECK, p + ".checks[" + i + "]", s.checks().get(i), "check",
                        loaded.declaredChecks(), "checks");
            }
            s.escalate().ifPresent(e -> {
                if (e.vm() instanceof ServiceSpec.Ec2 ec2 && ec2.mode() == ServiceSpec.Ec2Mode.STOP_START
                        && ec2.instanceId().isEmpty()) {
                    add(Rule.SERVICE_EC2_STOP_SELF, p + ".escalate.vm.mode", "stop_start without instance_id means this "
                            + "instance, and an agent that stops its own instance cannot start it again; use mode: reboot, "
                            + "or set instance_id to the instance this agent watches");
                }
            });
            for (int i = 0; i < s.dependsOn().size(); i++) {
                String dep = s.dependsOn().get(i);
                if (dep.equals(name)) {
                    add(Rule.SERVICE_DEPENDENCY_CYCLE, p + ".depends_on[" + i + "]", "'" + name + "' depends on itself; remove it");
                } else {
                    unknownRef(Rule.REF_UNKNOWN_SERVICE, p + ".depends_on[" + i + "]", dep, "service",
                            loaded.declaredServices(), "services");
                }
            }
        });
    }

    private void unknownRef(Rule rule, String path, String ref, String what, Set<String> declared, String section) {
        if (!declared.contains(ref)) {
            String hint = DidYouMean.closest(ref, declared).map(d -> "; did you mean '" + d + "'?")
                    .orElse(declared.isEmpty() ? "; there are no " + section + " in this file"
                            : "; define it under " + section + ": or use one of: " + String.join(", ", declared));
            add(rule, path, "no " + what + " named '" + ref + "'" + hint);
        }
    }

    /** Reports each dependency cycle once, at the edge that closes it. */
    private void dependencyCycles() {
        Map<String, Integer> state = new HashMap<>(); // 1 = on the current path, 2 = done
        for (String start : c.services().keySet()) {
            visit(start, new ArrayList<>(), state);
        }
    }

    private void visit(String service, List<String> path, Map<String, Integer> state) {
        Integer st = state.get(service);
        if (st != null && st == 2) {
            return;
        }
        ServiceSpec s = c.services().get(service);
        if (s == null) {
            return;
        }
        state.put(service, 1);
        path.add(service);
        for (int i = 0; i < s.dependsOn().size(); i++) {
            String dep = s.dependsOn().get(i);
            if (dep.equals(service)) {
                continue; // reported by services() as a self-dependency
            }
            if (Integer.valueOf(1).equals(state.get(dep))) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(dep), path.size()));
                cycle.add(dep);
                add(Rule.SERVICE_DEPENDENCY_CYCLE, "services." + service + ".depends_on[" + i + "]",
                        "services depend on each other in a circle (" + String.join(" -> ", cycle)
                                + "); no start order exists, so remove one of these depends_on entries");
            } else {
                visit(dep, path, state);
            }
        }
        path.remove(path.size() - 1);
        state.put(service, 2);
    }

    private void vrrp() {
        c.vrrp().forEach((name, v) -> {
            String p = "vrrp." + name;
            var uni = v.unicast();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < uni.peers().size(); i++) {
                Peer peer = uni.peers().get(i);
                String pp = p + ".unicast.peers[" + i + "]";
                boolean samePort = v.transport() == Transport.IP || peer.port().isEmpty() || peer.port().equals(uni.port());
                if (peer.address().equals(uni.source()) && samePort) {
                    add(Rule.VRRP_SELF_PEER, pp, peer + " is this instance's own unicast source; peers are the other "
                            + "hosts of the pair, so list the other host's address here");
                }
                if (!seen.add(peer.toString())) {
                    add(Rule.VRRP_DUPLICATE_PEER, pp, peer + " is listed twice; remove one");
                }
            }
            for (int i = 0; i < v.track().size(); i++) {
                unknownRef(Rule.REF_UNKNOWN_CHECK, p + ".track[" + i + "].check", v.track().get(i).check(), "check",
                        loaded.declaredChecks(), "checks");
            }
            advertInterval(p, v);
            auth(p, v);
            if (v.transport() == Transport.IP) {
                if (uni.port().isPresent()) {
                    add(Rule.VRRP_UDP_ONLY, p + ".unicast.port", "a port is a udp transport setting; transport ip "
                            + "(protocol 112) has no ports, so remove it or set transport: udp");
                }
                for (int i = 0; i < uni.peers().size(); i++) {
                    if (uni.peers().get(i).port().isPresent()) {
                        add(Rule.VRRP_UDP_ONLY, p + ".unicast.peers[" + i + "]", "a peer port is a udp transport setting; "
                                + "transport ip (protocol 112) has no ports, so write the address alone or set transport: udp");
                    }
                }
            }
            if (v.transport() == Transport.UDP && src.has(p + ".unicast.min_ttl")) {
                add(Rule.VRRP_IP_ONLY, p + ".unicast.min_ttl", "min_ttl is a transport ip setting; a udp socket does "
                        + "not see the TTL adverts arrive with, so it does nothing here; remove it, or set transport: ip");
            }
            Set<Ipv4> listed = new HashSet<>();
            for (int i = 0; i < v.addresses().size(); i++) {
                Ipv4 a = v.addresses().get(i);
                if (!listed.add(a)) {
                    add(Rule.VRRP_DUPLICATE_ADDRESS, p + ".addresses[" + i + "]", a + " is listed twice; keepalived "
                            + "checks an advert's address count against its virtual_ipaddress, so a keepalived peer would "
                            + "drop every advert; remove one");
                }
            }
            v.onMaster().redisPromote().ifPresent(redis -> {
                boolean watched = v.track().stream().anyMatch(t -> t.weight() == 0
                        && c.checks().get(t.check()) instanceof CheckSpec.Redis r && redis.isProbedBy(r));
                if (!watched) {
                    add(Rule.VRRP_REDIS_UNTRACKED, p + ".on_master.redis_promote", "promotes redis " + redis.host() + ":"
                            + redis.port() + ", but no redis check of it is tracked with weight 0, so a MASTER whose Redis"
                            + " dies keeps the role and the address; add a redis check of it to checks and"
                            + " track: [ { check: NAME, weight: 0 } ]");
                }
            });
            if (v.onMaster().redisPromote().isPresent() && v.preempt() && v.preemptDelay().isZero()) {
                // A preempting backup ignores the lower-priority master's adverts (RFC 5798 §6.4.2), so it never
                // learns it as its master and never replicates it; during a preempt_delay it follows it, and does.
                add(Rule.VRRP_REDIS_PREEMPT, src.has(p + ".preempt") ? p + ".preempt" : p + ".on_master.redis_promote",
                        "preempts at once (preempt is on, no preempt_delay): a node that comes back takes MASTER before its"
                        + " Redis has replicated the current master, which yields to it and replicates it, so the writes"
                        + " since the failover can be lost; set preempt: false, or a preempt_delay long enough for a full"
                        + " resync (the node follows and replicates the master meanwhile)");
            }
            if (!v.preempt() && src.has(p + ".preempt_delay") && !v.preemptDelay().isZero()) {
                add(Rule.VRRP_PREEMPT_DELAY_IGNORED, p + ".preempt_delay", "has no effect with preempt: false; "
                        + "remove it, or set preempt: true");
            }
        });
    }

    /** RFC 3768 §5.3.7: v2 carries whole seconds 1-255; RFC 5798 §5.2.7: v3 carries centiseconds 1-4095. */
    private void advertInterval(String p, VrrpInstance v) {
        Duration d = v.advertInterval();
        String at = src.has(p + ".advert_interval") ? p + ".advert_interval" : p + ".version";
        if (v.version() == 2) {
            if (d.toNanos() % 1_000_000_000L != 0 || d.getSeconds() > 255) {
                add(Rule.VRRP_ADVERT_INTERVAL, at, "VRRP version 2 carries whole seconds 1-255, not "
                        + Durations.format(d) + "; use whole seconds, or version: 3 for sub-second adverts");
            }
        } else if (d.toNanos() % 10_000_000L != 0 || d.toMillis() > 40_950) {
            add(Rule.VRRP_ADVERT_INTERVAL, at, "VRRP version 3 carries centiseconds, 10ms-40950ms, not "
                    + Durations.format(d) + "; use a multiple of 10ms in that range");
        }
    }

    private void auth(String p, VrrpInstance v) {
        switch (v.auth()) {
            case VrrpInstance.PassAuth pass -> {
                if (v.version() == 3) {
                    add(Rule.VRRP_PASS_AUTH_V3, p + ".auth.type", "pass auth does not exist in VRRP version 3 (RFC 5798 "
                            + "removed it); use version: 2 as keepalived does with auth_pass, or hmac with transport: udp");
                }
                if (pass.password() instanceof Secret.Inline in && in.value().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 8) {
                    add(Rule.VRRP_PASS_TRUNCATED, p + ".auth.password", "only the first 8 bytes of a pass password go "
                            + "into the advert (keepalived truncates the same way); shorten it to 8 so both ends agree on what is checked");
                }
            }
            case VrrpInstance.HmacAuth h -> {
                if (v.transport() == Transport.IP) {
                    add(Rule.VRRP_HMAC_ON_IP, p + ".auth.type", "hmac auth works only with transport: udp; keepalived "
                            + "peers on transport ip cannot check it, so use transport: udp, or auth type pass with version: 2");
                }
            }
            case VrrpInstance.NoAuth n -> { }
        }
    }

    private void duplicateVrids() {
        Map<String, String> seen = new HashMap<>();
        c.vrrp().forEach((name, v) -> {
            if (v.vrid() == VrrpInstance.INVALID_VRID) {
                return;
            }
            String iface = v.iface().orElse("");
            String key = v.vrid() + "/" + iface + "/" + v.transport()
                    + (v.transport() == Transport.UDP ? "/" + v.unicast().port().orElse(0) : "");
            String first = seen.putIfAbsent(key, name);
            if (first != null) {
                add(Rule.VRRP_DUPLICATE_VRID, "vrrp." + name + ".vrid", "vrid " + v.vrid() + " is already used by '" + first
                        + "'" + (iface.isEmpty() ? "" : " on " + iface) + "; adverts of the two instances would mix, "
                        + "so give this one another vrid");
            }
        });
    }

    private void scaler() {
        c.scaler().ifPresent(s -> {
            if (s.sink() instanceof ScalerPush.ZookeeperSink && c.zookeeper().isEmpty()) {
                add(Rule.SCALER_ZOOKEEPER, "scaler.push.sink.zookeeper", "the zookeeper sink uses the ensemble of "
                        + "coordination.zookeeper, which is not configured; add coordination: { zookeeper: { connect: ... } }");
            }
            if (s.sink() instanceof ScalerPush.RedisSink r && !r.key().contains("{node}")) {
                add(Rule.SCALER_KEY_WITHOUT_NODE, "scaler.push.sink.redis.key", "'" + r.key() + "' is the same key on "
                        + "every host of role " + s.role() + ", so each push overwrites the others' load; put {node} in "
                        + "it, like " + Defaults.REDIS_SINK_KEY);
            }
            if (s.sink() instanceof ScalerPush.HttpSink h) {
                timeoutBelowInterval(s, h.timeout(), "scaler.push.sink.http.timeout");
            }
            if (s.throughput().orElse(null) instanceof ScalerPush.HttpThroughput h) {
                timeoutBelowInterval(s, h.timeout(), "scaler.push.throughput.http.timeout");
            }
        });
    }

    private void timeoutBelowInterval(ScalerPush s, Duration timeout, String key) {
        if (timeout.compareTo(s.interval()) >= 0) {
            add(Rule.SCALER_TIMEOUT_INTERVAL, src.has(key) ? key : "scaler.push.interval", "timeout "
                    + Durations.format(timeout) + " is not below the push interval " + Durations.format(s.interval())
                    + ": one slow answer holds back the next samples; make the timeout shorter than the interval");
        }
    }

    private void coordination() {
        c.zookeeper().ifPresent(zk -> {
            for (int i = 0; i < zk.leaseFor().size(); i++) {
                String name = zk.leaseFor().get(i);
                String at = "coordination.zookeeper.lease_for[" + i + "]";
                unknownRef(Rule.REF_UNKNOWN_VRRP, at, name, "VRRP instance", loaded.declaredVrrp(), "vrrp");
                VrrpInstance v = c.vrrp().get(name);
                if (v != null) {
                    sessionCoversAdverts(zk, name, v, at);
                    if (v.preempt()) {
                        add(Rule.ZK_LEASE_PREEMPT, at, name + " has preempt on (the default), but behind a lease a living"
                                + " master keeps its lease whatever its priority: the priority only orders who asks for the"
                                + " lease once the master is gone; set preempt: false on both ends to say so");
                    }
                    if (v.version() == 2) {
                        add(Rule.ZK_LEASE_V2, at, name + " speaks VRRP v2, which has no room for the follower advert a"
                                + " backup sends its master: with ZooKeeper's quorum gone the master demotes at its"
                                + " deadline and nobody is MASTER until ZooKeeper is back; use version: 3 on both ends");
                    }
                    int peers = v.unicast().peers().size();
                    if (peers != 1) {
                        add(Rule.ZK_LEASE_NOT_A_PAIR, at, name + " has " + peers + " unicast peers: a lease guards a pair"
                                + " (a MASTER that loses it makes its Redis a replica of the one peer, so it stops taking"
                                + " writes at once); list exactly one peer, or take " + name + " out of lease_for");
                    }
                }
            }
            sessionWithinServerBounds(zk);
        });
    }

    /** A master renews its lease between adverts; a session shorter than 3 advert intervals expires in between. */
    private void sessionCoversAdverts(ZookeeperConfig zk, String name, VrrpInstance v, String leaseAt) {
        Duration min = v.advertInterval().multipliedBy(3);
        if (zk.sessionTimeout().compareTo(min) < 0) {
            String key = "coordination.zookeeper.session_timeout";
            add(Rule.ZK_SESSION_TIMEOUT_SHORT, src.has(key) ? key : leaseAt, (src.has(key) ? "" : "session_timeout ")
                    + Durations.format(zk.sessionTimeout()) + (src.has(key) ? "" : " (the default)") + " is below 3 advert intervals of '" + name + "' (3 x "
                    + Durations.format(v.advertInterval()) + " = " + Durations.format(min) + "): the lease would expire "
                    + "between two adverts and a healthy master would lose it; raise session_timeout to at least "
                    + Durations.format(min) + ", or shorten advert_interval");
        }
    }

    /**
     * ZooKeeper clamps a requested session timeout to [minSessionTimeout, maxSessionTimeout], by default
     * 2 and 20 x tickTime (ZooKeeperServer#getMinSessionTimeout); with the default tickTime 2s that is 4s-40s.
     */
    private void sessionWithinServerBounds(ZookeeperConfig zk) {
        String key = "coordination.zookeeper.session_timeout";
        Duration t = zk.sessionTimeout();
        Duration clampedTo = t.compareTo(ZK_MIN_SESSION) < 0 ? ZK_MIN_SESSION : t.compareTo(ZK_MAX_SESSION) > 0 ? ZK_MAX_SESSION : null;
        if (clampedTo != null) {
            add(Rule.ZK_SESSION_TIMEOUT_CLAMPED, src.has(key) ? key : "coordination.zookeeper", Durations.format(t)
                    + " is outside ZooKeeper's default bounds, 2-20 x tickTime (4s-40s with the default tickTime 2s): "
                    + "the server will clamp it to " + Durations.format(clampedTo) + ", so sessions and leases would last "
                    + Durations.format(clampedTo) + ", not the " + Durations.format(t) + " written here; use 4s-40s, or "
                    + "set minSessionTimeout / maxSessionTimeout on every ZooKeeper server and keep it");
        }
    }

    /** Runs whenever the file exists, --host or not: a world-readable secret is worth a warning anywhere. */
    private void secretFileModes() {
        for (FileRef f : loaded.files()) {
            if (f.kind() != FileRef.Kind.SECRET) {
                continue;
            }
            Optional<Set<PosixFilePermission>> perms = permissions(f);
            if (perms.isPresent()) {
                Set<PosixFilePermission> p = perms.get();
                boolean group = p.contains(PosixFilePermission.GROUP_READ);
                boolean others = p.contains(PosixFilePermission.OTHERS_READ);
                if (group || others) {
                    out.add(new Finding(loaded.file(), f.at(), Rule.SECRET_FILE_MODE, f.configPath() + ": " + f.path()
                            + " is readable by " + (group && others ? "group and others" : group ? "its group" : "others")
                            + "; run chmod 600 " + f.path()));
                }
            }
        }
    }

    private static Optional<Set<PosixFilePermission>> permissions(FileRef f) {
        try {
            if (!Files.isRegularFile(f.path())) {
                return Optional.empty();
            }
            return Optional.of(Files.getPosixFilePermissions(f.path(), new LinkOption[0]));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }
}
