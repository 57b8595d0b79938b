package io.haagent.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.AwsId;
import io.haagent.config.CheckSpec;
import io.haagent.config.Defaults;
import io.haagent.config.HaagentConfig;
import io.haagent.config.HostPort;
import io.haagent.config.Ipv4;
import io.haagent.config.MailConfig;
import io.haagent.config.ScalerPush;
import io.haagent.config.Secret;
import io.haagent.config.ServiceSpec;
import io.haagent.config.VrrpInstance;
import io.haagent.lint.finding.Rule;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BindingTest {
    private static HaagentConfig load(String text) {
        LoadResult r = ConfigLoader.load("t.yaml", text);
        assertEquals(List.of(), r.findings());
        return r.bound();
    }

    @Test
    void everyKey_bindsToTheRecords() throws IOException {
        HaagentConfig c = load(Files.readString(Path.of("src/test/resources/lint/good/every-key.yaml")));

        assertEquals(Optional.of("redis-a.example"), c.node().name());
        assertEquals(new HostPort("127.0.0.1", 9121), c.node().admin().listen());
        assertEquals(Path.of("/var/lib/haagent-test"), c.node().stateDir());
        assertEquals(20, c.node().restartBudget().maxRestarts());

        assertEquals(List.of("web", "redis", "api", "disk", "shipper-alive", "custom"), List.copyOf(c.checks().keySet()),
                "file order is kept");
        var web = (CheckSpec.Http) c.checks().get("web");
        assertEquals(URI.create("https://127.0.0.1:8443/healthz"), web.url());
        assertEquals(List.of(new CheckSpec.StatusRange(200, 200), new CheckSpec.StatusRange(301, 302)), web.expectStatus());
        assertEquals(Optional.of("^ok\\b"), web.expectBodyRegex());
        assertEquals(new CheckSpec.CheckTiming(Duration.ofSeconds(5), Duration.ofSeconds(2), 2, 3), web.timing());
        var redis = (CheckSpec.Redis) c.checks().get("redis");
        assertEquals(Optional.of(new Secret.FromFile(Path.of("/nonexistent/haagent-test/redis.pass"))), redis.password());
        assertEquals(Duration.ofMillis(500), redis.timing().timeout());
        assertFalse(c.checks().get("api").timing().notifies(), "notify: false silences the check's mails");
        assertTrue(redis.timing().notifies());
        assertEquals(Duration.ofMinutes(5), ((CheckSpec.FileAge) c.checks().get("shipper-alive")).maxAge());

        ServiceSpec svc = c.services().get("web");
        var proc = (ServiceSpec.Process) svc.means().orElseThrow();
        assertEquals(List.of("/usr/bin/java", "-jar", "/srv/app.jar"), proc.command());
        assertEquals(Map.of("PORT", "8080", "JAVA_OPTS", "-Xmx256m"), proc.env());
        assertEquals(ServiceSpec.StopSignal.INT, proc.stopSignal(), "SIGINT is read as INT");
        assertEquals(Optional.of(Duration.ofHours(1)), svc.restart().rearmAfter());
        assertEquals(new ServiceSpec.Escalation(3, new ServiceSpec.Libvirt("web01", Optional.of("qemu:///system"))),
                svc.escalate().orElseThrow());
        assertEquals(List.of("redis", "shipper"), svc.dependsOn());
        assertEquals(5, c.services().get("redis").escalate().orElseThrow().after(), "escalate.after defaults to max_restarts");
        var ec2 = (ServiceSpec.Ec2) c.services().get("shipper").escalate().orElseThrow().vm();
        assertEquals(ServiceSpec.Ec2Mode.STOP_START, ec2.mode());
        assertEquals(Optional.of(new AwsId("i-0123456789abcdef0")), ec2.instanceId());

        VrrpInstance v = c.vrrp().get("redis-vip");
        assertEquals(VrrpInstance.Transport.UDP, v.transport());
        assertEquals(Duration.ofMillis(100), v.advertInterval());
        assertEquals(List.of(new VrrpInstance.Peer(Ipv4.parse("10.0.1.11"), Optional.empty()),
                new VrrpInstance.Peer(Ipv4.parse("10.0.1.12"), Optional.of(9113))), v.unicast().peers());
        assertEquals(List.of(new VrrpInstance.Track("redis", 0), new VrrpInstance.Track("web", -20)), v.track());
        assertEquals("hmac", v.auth().type());
        var eni = (VrrpInstance.Eni) v.onMaster().address().orElseThrow();
        assertEquals(2, eni.deviceIndex());
        assertEquals(Duration.ofSeconds(45), eni.forceDetachAfter());
        var replicate = v.onBackup().redisReplicate().orElseThrow();
        assertEquals(6380, replicate.port());
        assertEquals(6379, replicate.masterPort());
        assertFalse(replicate.configRewrite());
        assertTrue(c.vrrp().get("app-vip").onMaster().address().orElseThrow() instanceof VrrpInstance.SecondaryIp);
        assertEquals("192.168.0.100/24",
                ((VrrpInstance.LocalAddress) c.vrrp().get("lan-vip").onMaster().address().orElseThrow()).ip().toString());
        assertEquals(List.of(Ipv4.parse("192.168.0.100"), Ipv4.parse("192.168.0.101")), c.vrrp().get("lan-vip").addresses());
        assertEquals(64, c.vrrp().get("lan-vip").unicast().minTtl());
        assertEquals(List.of("/usr/local/bin/on-transition"), v.notifyHooks());
        assertEquals(Duration.ofSeconds(30), v.notifyTimeout());

        MailConfig mail = c.mail().orElseThrow();
        assertEquals(Set.of(MailConfig.MailEvent.VRRP_TRANSITION, MailConfig.MailEvent.GIVE_UP), mail.events());
        assertFalse(mail.smtp().starttls());
        ScalerPush push = c.scaler().orElseThrow();
        var sink = (ScalerPush.RedisSink) push.sink();
        assertEquals(Duration.ofSeconds(90), sink.ttl());
        assertEquals("scaler:hosts:{role}", sink.hostsKey());
        assertEquals(720, push.buffer());
        assertEquals(List.of("eth0", "ens5"), push.interfaces());
        assertEquals(List.of(Path.of("/"), Path.of("/var/lib/redis")), push.mounts());
        assertEquals(new ScalerPush.RedisThroughput("127.0.0.1", 6379, Optional.empty()), push.throughput().orElseThrow());
        assertEquals(List.of(new HostPort("127.0.0.1", 2181), new HostPort("127.0.0.1", 2182)),
                c.zookeeper().orElseThrow().connect().servers());
        assertEquals(Optional.of("/haagent"), c.zookeeper().orElseThrow().connect().chroot());
        assertEquals("/haagent/test", c.zookeeper().orElseThrow().path());
    }

    @Test
    void coordination_defaultsPathAndKeepsLeaseFor() {
        var zk = load("""
                vrrp:
                  redis-vip: { vrid: 51, unicast: { source: 10.0.0.1, peers: [10.0.0.2] } }
                coordination:
                  zookeeper: { connect: "zk1,zk2:2182", lease_for: [redis-vip] }
                """).zookeeper().orElseThrow();
        assertEquals(List.of(new HostPort("zk1", 2181), new HostPort("zk2", 2182)), zk.connect().servers(),
                "ZooKeeper's own default port");
        assertEquals(Defaults.ZK_PATH, zk.path());
        assertEquals(List.of("redis-vip"), zk.leaseFor());
        assertEquals("/haagent/lease/51-redis-vip", zk.leaseNode(51, "redis-vip"));
    }

    @Test
    void omittedKeys_takeTheDefaults() {
        HaagentConfig c = load("""
                checks:
                  fast: { type: tcp, address: "127.0.0.1:80", interval: 1s }
                  slow: { type: tcp, address: "127.0.0.1:80" }
                vrrp:
                  vip: { vrid: 7, advert_interval: 2s, unicast: { source: 10.0.0.1, peers: [10.0.0.2] } }
                notify:
                  mail: { smtp: { host: smtp.example.com }, from: a@example.com, to: [b@example.com] }
                scaler:
                  push: { role: web, sink: { redis: { host: 127.0.0.1 } } }
                """);
        assertEquals(Defaults.ADMIN_LISTEN, c.node().admin().listen());
        assertEquals(Defaults.STATE_DIR, c.node().stateDir());
        assertEquals(Optional.empty(), c.node().name(), "the host name is looked up at run time");
        assertEquals(Duration.ofMillis(500), c.checks().get("fast").timing().timeout(), "half a short interval");
        assertEquals(Defaults.CHECK_TIMEOUT, c.checks().get("slow").timing().timeout());
        assertEquals(Defaults.CHECK_INTERVAL, c.checks().get("slow").timing().interval());
        VrrpInstance v = c.vrrp().get("vip");
        assertEquals(Defaults.VRRP_PRIORITY, v.priority());
        assertEquals(Defaults.VRRP_VERSION, v.version());
        assertEquals(Defaults.TRANSPORT, v.transport());
        assertEquals(Defaults.PREEMPT, v.preempt());
        assertEquals(Duration.ofSeconds(6), v.startupDelay(), "three adverts");
        assertEquals("none", v.auth().type());
        assertEquals(List.of(), v.addresses(), "no address move, no address to list");
        assertEquals(Defaults.VRRP_MIN_TTL, v.unicast().minTtl());
        assertEquals(255, v.unicast().minTtl(), "RFC 5798 7.1: only adverts from the same link");
        assertEquals(List.of(), v.notifyHooks());
        assertEquals(Defaults.NOTIFY_TIMEOUT, v.notifyTimeout());
        assertEquals(Duration.ofSeconds(10), v.notifyTimeout());
        // Issue 12: every event but the start-up transitions (INIT -> ...), which every agent start would mail.
        assertEquals(EnumSet.complementOf(EnumSet.of(MailConfig.MailEvent.VRRP_START)), c.mail().orElseThrow().events());
        assertTrue(c.mail().orElseThrow().events().containsAll(
                Set.of(MailConfig.MailEvent.CHECK_DOWN, MailConfig.MailEvent.CHECK_UP)), "check mails are on by default");
        assertTrue(c.checks().get("slow").timing().notifies(), "a check's flips are mailed by default");
        assertEquals(Defaults.SMTP_PORT, c.mail().orElseThrow().smtp().port());
        ScalerPush push = c.scaler().orElseThrow();
        var sink = (ScalerPush.RedisSink) push.sink();
        assertEquals(Duration.ofSeconds(10), push.interval(), "issue 15: a sample every 10 s");
        assertEquals(Duration.ofSeconds(30), sink.ttl(), "three push intervals");
        assertEquals("scaler:load:{role}:{node}", sink.key(), "one hash per host");
        assertEquals("scaler:hosts:{role}", sink.hostsKey());
        assertEquals(360, push.buffer(), "an hour of samples at the default interval");
        assertEquals(List.of(), push.interfaces(), "every interface but lo");
        assertEquals(List.of(Path.of("/")), push.mounts());
        assertEquals(Optional.empty(), push.throughput());
    }

    @Test
    void scalerPush_httpSinkAndHttpThroughput() {
        ScalerPush push = load("""
                scaler:
                  push:
                    role: web
                    interval: 30s
                    sink: { http: { url: "http://127.0.0.1:9000/v1/load" } }
                    throughput: { http: { url: "http://127.0.0.1:8080/stats", field: stats.rpm, timeout: 2s } }
                """).scaler().orElseThrow();
        assertEquals(new ScalerPush.HttpSink(URI.create("http://127.0.0.1:9000/v1/load"), Duration.ofSeconds(5)),
                push.sink(), "the default timeout");
        assertEquals(new ScalerPush.HttpThroughput(URI.create("http://127.0.0.1:8080/stats"), "stats.rpm",
                Duration.ofSeconds(2)), push.throughput().orElseThrow());
    }

    private static final String PAIR = "unicast: { source: 10.0.1.10, peers: [10.0.1.11] }";

    @Test
    void advertAddresses_defaultToTheAddressTheMasterTakes() {
        HaagentConfig c = load("""
                vrrp:
                  local: { vrid: 1, %1$s,
                           on_master: { address: { local: { ip: 10.0.1.100/24, interface: eth0 } } } }
                  secondary: { vrid: 2, %1$s,
                               on_master: { address: { secondary_ip: { ip: 10.0.1.101, eni: eni-01234567 } } } }
                  eni: { vrid: 3, %1$s,
                         on_master: { address: { eni: { id: eni-01234567, device_index: 1 } } } }
                  redis-only: { vrid: 4, %1$s, on_master: { redis_promote: {} } }
                  bare: { vrid: 5, %1$s }
                """.formatted(PAIR));
        assertEquals(List.of(Ipv4.parse("10.0.1.100")), c.vrrp().get("local").addresses(), "the local ip, without its prefix");
        assertEquals(List.of(Ipv4.parse("10.0.1.101")), c.vrrp().get("secondary").addresses());
        assertEquals(List.of(), c.vrrp().get("eni").addresses(), "an ENI move has no address to list");
        assertEquals(List.of(), c.vrrp().get("redis-only").addresses());
        assertEquals(List.of(), c.vrrp().get("bare").addresses());
        c.vrrp().values().forEach(v -> assertEquals(Defaults.advertAddresses(v.onMaster()), v.addresses()));
    }

    @Test
    void advertAddresses_anExplicitListOverridesTheDefault_inItsOrder() {
        HaagentConfig c = load("""
                vrrp:
                  listed: { vrid: 1, %1$s, addresses: [10.0.1.102, 10.0.1.100],
                            on_master: { address: { local: { ip: 10.0.1.100/24, interface: eth0 } } } }
                  none: { vrid: 2, %1$s, addresses: [],
                          on_master: { address: { local: { ip: 10.0.1.100/24, interface: eth0 } } } }
                  eni: { vrid: 3, %1$s, addresses: [10.0.1.200],
                         on_master: { address: { eni: { id: eni-01234567, device_index: 1 } } } }
                """.formatted(PAIR));
        assertEquals(List.of(Ipv4.parse("10.0.1.102"), Ipv4.parse("10.0.1.100")), c.vrrp().get("listed").addresses());
        assertEquals(List.of(), c.vrrp().get("none").addresses(), "an explicit empty list stays empty");
        assertEquals(List.of(Ipv4.parse("10.0.1.200")), c.vrrp().get("eni").addresses());
    }

    @Test
    void advertAddresses_badOrTooMany_areReported() {
        LoadResult bad = ConfigLoader.load("t.yaml", "vrrp:\n  vip: { vrid: 1, " + PAIR + ", addresses: [10.0.1.100/24] }\n");
        assertEquals(List.of(Rule.VALUE_ADDRESS), bad.findings().stream().map(f -> f.rule()).toList());
        assertEquals("vrrp.vip.addresses[0]: '10.0.1.100/24' is not an IPv4 address; write four numbers 0-255, like 10.0.1.10",
                bad.findings().getFirst().message());

        String many = java.util.stream.IntStream.range(0, 256).mapToObj(i -> "10.0." + (i / 250) + "." + (i % 250 + 1))
                .collect(java.util.stream.Collectors.joining(", "));
        LoadResult tooMany = ConfigLoader.load("t.yaml", "vrrp:\n  vip: { vrid: 1, " + PAIR + ", addresses: [" + many + "] }\n");
        assertEquals(List.of(Rule.VALUE_RANGE), tooMany.findings().stream().map(f -> f.rule()).toList());
        assertEquals("vrrp.vip.addresses: 256 addresses do not fit an advert, which counts them in one byte; list at most 255",
                tooMany.findings().getFirst().message());
    }

    @Test
    void minTtl_outOfRange_saysTheRange_andTheDefaultStandsIn() {
        for (String ttl : List.of("0", "256")) {
            LoadResult r = ConfigLoader.load("t.yaml", """
                    vrrp:
                      vip:
                        vrid: 1
                        unicast: { source: 10.0.1.10, peers: [10.0.1.11], min_ttl: %s }
                    """.formatted(ttl));
            assertEquals(List.of(Rule.VALUE_RANGE), r.findings().stream().map(f -> f.rule()).toList());
            assertEquals("vrrp.vip.unicast.min_ttl: " + ttl + " is out of range; use 1-255", r.findings().getFirst().message());
            assertEquals(4, r.findings().getFirst().at().line());
            assertEquals(Defaults.VRRP_MIN_TTL, r.bound().vrrp().get("vip").unicast().minTtl());
        }
        assertEquals(1, load("vrrp:\n  vip: { vrid: 1, unicast: { source: 10.0.1.10, peers: [10.0.1.11], min_ttl: 1 } }\n")
                .vrrp().get("vip").unicast().minTtl());
        LoadResult word = ConfigLoader.load("t.yaml",
                "vrrp:\n  vip: { vrid: 1, unicast: { source: 10.0.1.10, peers: [10.0.1.11], min_ttl: high } }\n");
        assertEquals(List.of(Rule.SCHEMA_TYPE), word.findings().stream().map(f -> f.rule()).toList());
    }

    @Test
    void notifyTimeout_parsesADuration_aboveZero() {
        assertEquals(Duration.ofMillis(1500), load("vrrp:\n  vip: { vrid: 1, " + PAIR + ", notify_timeout: 1500ms }\n")
                .vrrp().get("vip").notifyTimeout());
        assertEquals(Duration.ofMinutes(2), load("vrrp:\n  vip: { vrid: 1, " + PAIR + ", notify_timeout: 2m }\n")
                .vrrp().get("vip").notifyTimeout());

        LoadResult zero = ConfigLoader.load("t.yaml", "vrrp:\n  vip: { vrid: 1, " + PAIR + ", notify_timeout: 0s }\n");
        assertEquals(List.of(Rule.VALUE_RANGE), zero.findings().stream().map(f -> f.rule()).toList());
        assertEquals("vrrp.vip.notify_timeout: must be above zero", zero.findings().getFirst().message());
        assertEquals(Defaults.NOTIFY_TIMEOUT, zero.bound().vrrp().get("vip").notifyTimeout());

        LoadResult word = ConfigLoader.load("t.yaml", "vrrp:\n  vip: { vrid: 1, " + PAIR + ", notify_timeout: ten }\n");
        assertEquals(List.of(Rule.VALUE_DURATION), word.findings().stream().map(f -> f.rule()).toList());
    }

    @Test
    void notifyHooks_areAbsoluteProgramPaths_rememberedForHostChecks() {
        LoadResult r = ConfigLoader.load("t.yaml",
                "vrrp:\n  vip: { vrid: 1, " + PAIR + ", notify: [/usr/local/bin/a, /opt/b] }\n");
        assertEquals(List.of(), r.findings());
        assertEquals(List.of("/usr/local/bin/a", "/opt/b"), r.bound().vrrp().get("vip").notifyHooks());
        assertEquals(List.of(new FileRef("vrrp.vip.notify[0]", Path.of("/usr/local/bin/a"), FileRef.Kind.PROGRAM,
                        r.files().get(0).at()), new FileRef("vrrp.vip.notify[1]", Path.of("/opt/b"), FileRef.Kind.PROGRAM,
                        r.files().get(1).at())), r.files());

        LoadResult relative = ConfigLoader.load("t.yaml", "vrrp:\n  vip: { vrid: 1, " + PAIR + ", notify: [on-change.sh] }\n");
        assertEquals(List.of(Rule.VALUE_PATH), relative.findings().stream().map(f -> f.rule()).toList());
        assertTrue(relative.findings().getFirst().message().startsWith("vrrp.vip.notify[0]: 'on-change.sh' is relative;"),
                relative.findings().getFirst().message());
    }

    @Test
    void sameText_bindsEqual_andAChangedCheckDoesNot() {
        String text = "checks:\n  a: { type: tcp, address: \"127.0.0.1:80\" }\n  b: { type: disk, path: / }\n";
        HaagentConfig one = load(text);
        HaagentConfig two = load(text);
        HaagentConfig changed = load(text.replace("127.0.0.1:80", "127.0.0.1:81"));
        assertEquals(one, two);
        assertNotEquals(one.checks().get("a"), changed.checks().get("a"));
        assertEquals(one.checks().get("b"), changed.checks().get("b"), "an unchanged check stays equal for reload");
    }

    @Test
    void badRequiredValue_dropsTheObject_butKeepsItsNameDeclared() {
        LoadResult r = ConfigLoader.load("t.yaml", """
                checks:
                  web: { type: http, url: "not a url" }
                services:
                  app: { checks: [web], restart_command: ["/bin/true"] }
                """);
        assertFalse(r.bound().checks().containsKey("web"));
        assertTrue(r.declaredChecks().contains("web"));
        assertEquals(List.of(Rule.VALUE_URL), r.findings().stream().map(f -> f.rule()).toList());
    }

    /** Issue 12: the restart command's timeout was fixed in code; a mapping sets it, the list form keeps 60s. */
    @Test
    void restartCommand_listOrMappingWithTimeout() {
        HaagentConfig c = load("""
                services:
                  a: { restart_command: ["/usr/local/bin/restart-a"] }
                  b:
                    restart_command: { command: ["/usr/local/bin/restart-b", "--fast"], timeout: 2m }
                    escalate: { vm: { type: command, command: ["/usr/local/bin/reboot-vm"], timeout: 10m } }
                """);
        assertEquals(Optional.of(new ServiceSpec.RestartCommand(List.of("/usr/local/bin/restart-a"),
                Defaults.RESTART_COMMAND_TIMEOUT)), c.services().get("a").means());
        assertEquals(Optional.of(new ServiceSpec.RestartCommand(List.of("/usr/local/bin/restart-b", "--fast"),
                Duration.ofMinutes(2))), c.services().get("b").means());
        assertEquals(new ServiceSpec.CommandVm(List.of("/usr/local/bin/reboot-vm"), Duration.ofMinutes(10)),
                c.services().get("b").escalate().orElseThrow().vm());
        LoadResult r = ConfigLoader.load("t.yaml", "services:\n  a: { restart_command: { command: [\"/bin/true\"],"
                + " timeout: 0s } }\n");
        assertEquals(1, r.findings().size(), r.findings().toString());
    }

    @Test
    void positions_pointAtTheValue() {
        LoadResult r = ConfigLoader.load("t.yaml", "checks:\n  web:\n    type: tcp\n    address: \"127.0.0.1:80\"\n    rise: 0\n");
        assertEquals(1, r.findings().size());
        assertEquals(5, r.findings().getFirst().at().line());
        assertEquals(11, r.findings().getFirst().at().column());
        assertEquals(4, r.source().at("checks.web.address").line());
        assertEquals(2, r.source().at("checks.web.fall").line(), "a defaulted key points at its object");
    }
}
