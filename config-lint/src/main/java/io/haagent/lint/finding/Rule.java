package io.haagent.lint.finding;

import static io.haagent.lint.finding.Severity.ERROR;
import static io.haagent.lint.finding.Severity.WARNING;

/**
 * Every lint rule, with its stable id. Ids are a contract: operators filter on them in CI and
 * silence nothing by accident, so an id is never renamed or reused — add a new one instead.
 */
public enum Rule {
    // File and schema: found while reading the YAML.
    YAML_SYNTAX("yaml.syntax", ERROR, "the file is not valid YAML"),
    YAML_DUPLICATE_KEY("yaml.duplicate-key", ERROR, "a key appears twice in one mapping"),
    CONFIG_EMPTY("config.empty", WARNING, "the file configures nothing"),
    CONFIG_TOO_LARGE("config.too-large", ERROR, "a file over 4 MiB (a real config is kilobytes); it is not read"),
    CONFIG_UNREADABLE("config.unreadable", ERROR, "a file that cannot be read: missing, a directory, not permitted, not UTF-8"),
    INCLUDE_MISSING("include.missing", ERROR, "an include: names a file or directory that does not exist"),
    INCLUDE_NO_MATCH("include.no-match", WARNING, "an include: glob or directory that holds no config file (an empty conf.d)"),
    INCLUDE_CYCLE("include.cycle", ERROR, "an include: that leads back to a file including it, or nests deeper than 8 files"),
    SCHEMA_UNKNOWN_KEY("schema.unknown-key", ERROR, "a key haagent does not know (with a did-you-mean)"),
    SCHEMA_MISSING_KEY("schema.missing-key", ERROR, "a required key is missing"),
    SCHEMA_TYPE("schema.type", ERROR, "a mapping, list or scalar where another is expected"),
    SCHEMA_CONFLICT("schema.conflict", ERROR, "keys that exclude each other are both set"),

    // Single values.
    VALUE_DURATION("value.duration", ERROR, "not a duration like 500ms, 2s, 5m, 1h"),
    VALUE_RANGE("value.range", ERROR, "a number outside its allowed range"),
    VALUE_ORDER("value.order", ERROR, "a lower bound above its upper bound"),
    VALUE_ADDRESS("value.address", ERROR, "not an IPv4 address, CIDR, or host:port"),
    VALUE_URL("value.url", ERROR, "not an http(s) URL"),
    VALUE_AWS_ID("value.aws-id", ERROR, "not an ENI (eni-...) or instance (i-...) id"),
    VALUE_ENUM("value.enum", ERROR, "not one of the allowed words"),
    VALUE_EMAIL("value.email", ERROR, "not a mail address"),
    VALUE_NAME("value.name", ERROR, "a name with characters that cannot go into file names and metrics"),
    VALUE_PATH("value.path", ERROR, "a relative path where an absolute one is needed"),
    VALUE_REGEX("value.regex", ERROR, "a regular expression that does not compile"),
    VALUE_EMPTY("value.empty", ERROR, "an empty string or list where something is needed"),

    // Cross-field rules: the second pass over one file.
    CHECK_TIMEOUT_INTERVAL("check.timeout-not-below-interval", ERROR, "a check's timeout is not below its interval"),
    HTTP_TLS_VERIFY_OFF("http.tls-verify-off", WARNING, "an https check does not verify certificates"),
    CHECK_UNHEARD("check.unheard", WARNING,
            "a check with notify: false that no service or VRRP instance uses: only its metric tells it is down"),
    REF_UNKNOWN_CHECK("ref.unknown-check", ERROR, "a reference to a check that is not defined"),
    REF_UNKNOWN_SERVICE("ref.unknown-service", ERROR, "a reference to a service that is not defined"),
    REF_UNKNOWN_VRRP("ref.unknown-vrrp", ERROR, "a reference to a VRRP instance that is not defined"),
    SERVICE_DEPENDENCY_CYCLE("service.dependency-cycle", ERROR, "services that depend on each other in a circle"),
    SERVICE_EC2_STOP_SELF("service.ec2-stop-start-self", ERROR,
            "ec2 stop_start escalation without instance_id: the agent would stop its own instance"),
    VRRP_SELF_PEER("vrrp.self-peer", ERROR, "an instance's unicast source is among its own peers"),
    VRRP_DUPLICATE_PEER("vrrp.duplicate-peer", ERROR, "a peer listed twice"),
    VRRP_DUPLICATE_VRID("vrrp.duplicate-vrid", ERROR, "two instances with the same vrid on the same interface"),
    VRRP_ADVERT_INTERVAL("vrrp.advert-interval", ERROR, "an advert interval the VRRP version cannot carry"),
    VRRP_PASS_AUTH_V3("vrrp.pass-auth-v3", ERROR, "pass auth with VRRP version 3 (RFC 5798 removed auth)"),
    VRRP_PASS_TRUNCATED("vrrp.pass-truncated", WARNING, "a pass password longer than the 8 bytes VRRP carries"),
    VRRP_HMAC_ON_IP("vrrp.hmac-on-ip", ERROR, "hmac auth with transport ip (keepalived cannot check it)"),
    VRRP_UDP_ONLY("vrrp.udp-only", ERROR, "a udp-only setting on an instance with transport ip"),
    VRRP_IP_ONLY("vrrp.ip-only", WARNING, "an ip-only setting (unicast.min_ttl) on an instance with transport udp"),
    VRRP_DUPLICATE_ADDRESS("vrrp.duplicate-address", ERROR, "an address listed twice in addresses"),
    VRRP_PREEMPT_DELAY_IGNORED("vrrp.preempt-delay-ignored", WARNING, "preempt_delay set while preempt is false"),
    VRRP_REDIS_UNTRACKED("vrrp.redis-untracked", WARNING,
            "an instance promotes a Redis that no check it tracks with weight 0 watches: a dead Redis keeps the role"),
    VRRP_REDIS_PREEMPT("vrrp.redis-preempt", WARNING,
            "an instance that promotes a Redis preempts at once (`preempt` on, no `preempt_delay`): a returning node "
                    + "takes MASTER before its Redis has replicated the current master, which yields to it and replicates "
                    + "it; set `preempt: false` or a `preempt_delay` long enough for a full resync"),
    MAIL_NO_RECIPIENTS("mail.no-recipients", ERROR, "mail is configured without recipients"),
    SCALER_ZOOKEEPER("scaler.zookeeper-without-coordination", ERROR,
            "a zookeeper load sink without coordination.zookeeper"),
    SCALER_KEY_WITHOUT_NODE("scaler.redis-key-without-node", ERROR,
            "a Redis load sink key without {node}: every host of the role would overwrite the same hash"),
    SCALER_TIMEOUT_INTERVAL("scaler.timeout-not-below-interval", WARNING,
            "a load sink or throughput timeout not below the push interval: one slow send delays the next samples"),
    ZK_SESSION_TIMEOUT_SHORT("coordination.session-timeout-short", ERROR,
            "session_timeout below 3 advert intervals of an instance in lease_for: the lease would expire between two adverts"),
    ZK_SESSION_TIMEOUT_CLAMPED("coordination.session-timeout-clamped", WARNING,
            "session_timeout outside ZooKeeper's default bounds, 2-20 x tickTime (4s-40s): the server clamps it"),
    ZK_LEASE_NOT_A_PAIR("coordination.lease-not-a-pair", ERROR,
            "an instance in lease_for without exactly one unicast peer: a lease guards a pair, and losing it makes the "
                    + "local Redis a replica of that one peer"),
    ZK_LEASE_PREEMPT("coordination.lease-preempt", WARNING,
            "an instance in lease_for with preempt on: behind a lease a living master keeps its lease, so preempt has "
                    + "no effect"),
    ZK_LEASE_V2("coordination.lease-v2-no-failsafe", WARNING,
            "an instance in lease_for speaks VRRP v2: its backup cannot tell the master it follows, so while ZooKeeper "
                    + "is down the master demotes at its deadline instead of keeping MASTER by the failsafe"),
    SECRET_INLINE("secret.inline", WARNING, "a secret written into the config instead of a *_file"),
    SECRET_FILE_MODE("secret.file-mode", WARNING, "a *_file secret readable by group or others"),

    // Host rules: only with --host (they look at this machine).
    HOST_FILE_MISSING("host.file-missing", ERROR, "a *_file, workdir, or process or notify program that does not exist here"),
    HOST_INTERFACE_MISSING("host.interface-missing", ERROR, "an interface that this host does not have"),
    HOST_NOT_EXECUTABLE("host.not-executable", ERROR, "a process or notify program that this host cannot execute"),
    HOST_SOURCE_NOT_LOCAL("host.source-not-local", ERROR, "a unicast source that is not an address of this host"),
    HOST_REDIS_NOT_REWRITABLE("host.redis-not-rewritable", WARNING,
            "a Redis that failover promotes or demotes but that cannot persist it with CONFIG REWRITE (no or unwritable config file)"),

    // Fleet rules: several files linted together.
    FLEET_PEER_NOT_LISTED("fleet.peer-not-listed", ERROR, "one end of a pair does not list the other as a peer"),
    FLEET_VRID_MISMATCH("fleet.vrid-mismatch", ERROR, "a peer has no instance with this vrid"),
    FLEET_VERSION_MISMATCH("fleet.version-mismatch", ERROR, "the two ends use different VRRP versions"),
    FLEET_ADVERT_MISMATCH("fleet.advert-interval-mismatch", ERROR, "the two ends use different advert intervals"),
    FLEET_TRANSPORT_MISMATCH("fleet.transport-mismatch", ERROR, "the two ends use different transports"),
    FLEET_AUTH_MISMATCH("fleet.auth-mismatch", ERROR, "the two ends use different auth"),
    FLEET_PORT_MISMATCH("fleet.port-mismatch", ERROR, "on transport udp, one end sends to a port the other does not listen on"),
    FLEET_ADDRESSES_MISMATCH("fleet.addresses-mismatch", ERROR,
            "the two ends advertise different address lists (keepalived's virtual_ipaddress)"),
    FLEET_LEASE_MISMATCH("fleet.lease-mismatch", ERROR,
            "the two ends differ in their ZooKeeper lease: one leases the instance and the other not, or another connect string or path"),
    FLEET_PREEMPT_TIE("fleet.preempt-tie", WARNING, "both ends preempt with equal priority"),
    FLEET_SCALER_NODE_TWICE("fleet.scaler-node-twice", ERROR,
            "two hosts push their load under the same role and node name: each sample overwrites the other host's");

    private final String id;
    private final Severity severity;
    private final String summary;

    Rule(String id, Severity severity, String summary) {
        this.id = id;
        this.severity = severity;
        this.summary = summary;
    }

    public String id() {
        return id;
    }

    public Severity severity() {
        return severity;
    }

    /** One line for the README's rule table. */
    public String summary() {
        return summary;
    }
}
