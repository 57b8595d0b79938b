package io.haagent.failover.redis;

import io.haagent.checker.probe.RedisReplication;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The fields of one {@code INFO} reply ({@code # Section} headers and {@code key:value} lines), as
 * Redis wrote them. Absent fields are absent: a replica whose link is up has no
 * {@code master_link_down_since_seconds}, a master has no {@code master_host}.
 */
record Info(Map<String, String> fields) {

    Info {
        fields = Map.copyOf(fields);
    }

    static Info parse(String text) {
        return new Info(RedisReplication.parseInfo(text));
    }

    Optional<String> text(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    OptionalLong number(String key) {
        String value = fields.get(key);
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** {@code role:master}; Redis writes {@code role:slave} for a replica. */
    boolean isMaster() {
        return "master".equals(fields.get("role"));
    }

    boolean isReplicaOf(String host, int port) {
        return "slave".equals(fields.get("role")) && host.equals(fields.get("master_host"))
                && String.valueOf(port).equals(fields.get("master_port"));
    }

    /** {@code master_host:master_port}, or "its master" when Redis did not say. */
    String master() {
        return text("master_host").map(h -> h + ":" + fields.getOrDefault("master_port", "?")).orElse("its master");
    }
}
