package io.haagent.agent.load;

import java.time.Instant;
import java.util.SequencedMap;

/**
 * One load sample as a sink sends it: rendered once when it is taken, so that a sample resent after an
 * outage carries the same bytes and the same time as when it was first due.
 *
 * @param node   this host's node name
 * @param role   the fleet role from {@code scaler.push.role}
 * @param seq    1, 2, 3... per agent start: a consumer sees gaps (dropped) and restarts (back to 1)
 * @param time   the sample's wall-clock time
 * @param json   the whole document, UTF-8 JSON (what {@code GET /load} shows and the http sink posts)
 * @param fields one entry per series and host/HA field, named as node_exporter names them
 *               ({@code node_load1}, {@code node_cpu_seconds_total{mode="user"}}), in a stable order:
 *               what the Redis sink writes as hash fields
 */
public record PushedSample(String node, String role, long seq, Instant time, byte[] json,
                           SequencedMap<String, String> fields) {}
