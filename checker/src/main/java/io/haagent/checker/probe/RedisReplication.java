package io.haagent.checker.probe;

import io.haagent.config.HostPort;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A Redis server's replication facts, from {@code ROLE} and {@code INFO replication}: what the
 * failover guards need (is this replica's link up, since when is it down, how far has it read).
 *
 * @param role                  from {@code ROLE}
 * @param master                a replica's master ({@code master_host:master_port})
 * @param masterLinkUp          a replica's {@code master_link_status:up}; false on a master
 * @param masterLinkDownSeconds a replica's {@code master_link_down_since_seconds}, present only
 *                              while its link is down; {@code -1} is Redis' own "not linked since
 *                              this replica started" (see {@link #linkDownLongerThan(Duration)})
 * @param masterReplOffset      {@code master_repl_offset}: on a master how much it has written, on
 *                              a replica how much of the master's stream it holds
 * @param replicaReplOffset     a replica's {@code slave_repl_offset}
 * @param replicas              a master's connected replicas ({@code slaveN:} lines)
 * @param info                  every {@code INFO replication} field, as Redis wrote it
 */
public record RedisReplication(Role role, Optional<HostPort> master, boolean masterLinkUp,
                               OptionalLong masterLinkDownSeconds, long masterReplOffset,
                               OptionalLong replicaReplOffset, List<Replica> replicas, Map<String, String> info) {

    public RedisReplication {
        replicas = List.copyOf(replicas);
        info = Map.copyOf(info);
    }

    /** The role {@code ROLE} reports; Redis calls a replica "slave" on the wire. */
    public enum Role {
        MASTER, REPLICA, SENTINEL;

        /** The word {@code /status} and reasons show. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A master's view of one replica: {@code slave0:ip=10.0.1.11,port=6379,state=online,offset=42,lag=0}. */
    public record Replica(String host, int port, String state, long offset, long lagSeconds) {}

    /**
     * Whether a replica's link to its master has been down longer than {@code max} — true too when
     * it has not linked since it started (Redis reports -1), since its data may be arbitrarily old.
     * False while the link is up and on a master.
     */
    public boolean linkDownLongerThan(Duration max) {
        if (role != Role.REPLICA || masterLinkUp || masterLinkDownSeconds.isEmpty()) {
            return false;
        }
        long down = masterLinkDownSeconds.getAsLong();
        return down < 0 || Duration.ofSeconds(down).compareTo(max) > 0;
    }

    /**
     * A replica's seconds without its master, what an operator graphs: 0 while the link is up,
     * {@code master_link_down_since_seconds} while it is down ({@code -1}, Redis' own, when it has not linked since
     * it started). Empty on a master, and on a replica whose INFO does not say.
     */
    public OptionalLong linkDownSeconds() {
        if (role != Role.REPLICA) {
            return OptionalLong.empty();
        }
        return masterLinkUp ? OptionalLong.of(0) : masterLinkDownSeconds;
    }

    /**
     * On a master, how many bytes of its replication stream the furthest-behind replica it lists has yet to read:
     * {@code master_repl_offset} minus that replica's {@code offset} (a replica still in its first sync lists 0, so
     * it trails by everything). Empty on a master with no replica, and on a replica, which does not know its
     * master's offset.
     */
    public OptionalLong lagBytes() {
        if (role != Role.MASTER || replicas.isEmpty()) {
            return OptionalLong.empty();
        }
        long slowest = replicas.stream().mapToLong(Replica::offset).min().orElseThrow();
        // Never negative: a replica that served another master (before a failover) may list a larger offset.
        return OptionalLong.of(Math.max(0, masterReplOffset - slowest));
    }

    /** The short reason of a passing redis check: {@code role:master}, {@code role:replica, link down 12s}. */
    String describe() {
        if (role != Role.REPLICA) {
            return "role:" + role.word();
        }
        if (masterLinkUp) {
            return "role:replica, link up";
        }
        long down = masterLinkDownSeconds.orElse(-1);
        return down < 0 ? "role:replica, link down, never linked" : "role:replica, link down " + down + "s";
    }

    /**
     * Reads the reply of {@code ROLE} (a list: {@code ["master", offset, [...]]},
     * {@code ["slave", host, port, state, offset]} or {@code ["sentinel", [...]]}) and the text of
     * {@code INFO replication}.
     */
    static RedisReplication parse(List<?> roleReply, String infoText) {
        if (roleReply.isEmpty()) {
            throw new IllegalArgumentException("empty ROLE reply");
        }
        Role role = switch (text(roleReply.get(0))) {
            case "master" -> Role.MASTER;
            case "slave", "replica" -> Role.REPLICA;
            case "sentinel" -> Role.SENTINEL;
            default -> throw new IllegalArgumentException("unknown role '" + text(roleReply.get(0)) + "' in ROLE reply");
        };
        Map<String, String> info = parseInfo(infoText);
        Optional<HostPort> master = Optional.empty();
        if (role == Role.REPLICA && roleReply.size() >= 3) {
            master = Optional.of(new HostPort(text(roleReply.get(1)), (int) number(roleReply.get(2))));
        }
        boolean linkUp = role == Role.REPLICA && "up".equals(info.get("master_link_status"));
        OptionalLong downSince = role == Role.REPLICA && !linkUp ? optionalLong(info.get("master_link_down_since_seconds"))
                : OptionalLong.empty();
        List<Replica> replicas = new ArrayList<>();
        for (int i = 0; info.containsKey("slave" + i); i++) {
            replica(info.get("slave" + i)).ifPresent(replicas::add);
        }
        return new RedisReplication(role, master, linkUp, downSince,
                optionalLong(info.get("master_repl_offset")).orElse(0),
                role == Role.REPLICA ? optionalLong(info.get("slave_repl_offset")) : OptionalLong.empty(),
                replicas, info);
    }

    /** {@code INFO} text ({@code # Section} headers and {@code key:value} lines) as key → value, in order. */
    public static Map<String, String> parseInfo(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    private static Optional<Replica> replica(String value) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                kv.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        try {
            return Optional.of(new Replica(kv.getOrDefault("ip", "?"), Integer.parseInt(kv.getOrDefault("port", "0")),
                    kv.getOrDefault("state", "?"), Long.parseLong(kv.getOrDefault("offset", "0")),
                    Long.parseLong(kv.getOrDefault("lag", "-1"))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // a field this version does not fill; skip the replica, keep the rest
        }
    }

    private static OptionalLong optionalLong(String s) {
        if (s == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(s.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(o);
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(text(o));
    }
}
