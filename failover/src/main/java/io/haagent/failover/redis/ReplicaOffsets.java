package io.haagent.failover.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a master's {@code INFO replication} says of how far its replicas have come: {@code master_repl_offset} and one
 * {@code slaveN:ip=...,port=...,state=online,offset=...,lag=...} line per replica. Pure.
 *
 * @param masterOffset the master's replication offset; empty when the Redis is not a master
 * @param replicas     the replicas in state {@code online} (one still syncing has no offset worth comparing)
 */
record ReplicaOffsets(OptionalLong masterOffset, List<Replica> replicas) {

    ReplicaOffsets {
        replicas = List.copyOf(replicas);
    }

    /** One online replica as the master last heard from it (replicas acknowledge once a second). */
    record Replica(String ip, int port, long offset) {
        String address() {
            return ip + ":" + port;
        }
    }

    static ReplicaOffsets of(Info info) {
        if (!info.isMaster()) {
            return new ReplicaOffsets(OptionalLong.empty(), List.of());
        }
        List<Replica> online = new ArrayList<>();
        for (int i = 0; ; i++) {
            Optional<String> line = info.text("slave" + i);
            if (line.isEmpty()) {
                break;
            }
            parse(line.get()).ifPresent(online::add);
        }
        return new ReplicaOffsets(info.number("master_repl_offset"), online);
    }

    /** {@code ip=10.0.1.12,port=6379,state=online,offset=123,lag=0}; empty unless online with a readable offset. */
    private static Optional<Replica> parse(String line) {
        String ip = null;
        String state = null;
        long port = -1;
        long offset = -1;
        for (String kv : line.split(",")) {
            int eq = kv.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            try {
                switch (k) {
                    case "ip" -> ip = v;
                    case "port" -> port = Long.parseLong(v);
                    case "state" -> state = v;
                    case "offset" -> offset = Long.parseLong(v);
                    default -> { }
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (ip == null || !"online".equals(state) || port < 0 || offset < 0) {
            return Optional.empty();
        }
        return Optional.of(new Replica(ip, (int) port, offset));
    }

    /**
     * The replicas that must have caught up before the peer may take over: those at a VRRP peer's address (the Redis
     * the new master promotes); when none is (NAT, {@code replica-announce-ip}), every online replica, since any of
     * them may be the peer's.
     */
    List<Replica> peersAmong(Set<String> peerAddresses) {
        List<Replica> atPeers = replicas.stream().filter(r -> peerAddresses.contains(r.ip())).toList();
        return atPeers.isEmpty() ? replicas : atPeers;
    }

    /** The replica furthest behind among {@code which}, with its lag in bytes (0 when all caught up). */
    static Optional<Replica> furthestBehind(List<Replica> which) {
        return which.stream().min(java.util.Comparator.comparingLong(Replica::offset));
    }
}
