package io.haagent.agent.cli;

import io.haagent.agent.json.Json;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code haagent status [--admin HOST:PORT] [--config FILE] [--json]}: the daemon's /status as tables. */
final class StatusCommand {
    private StatusCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o = Options.parse("status", args, err);
        if (o == null) {
            return Main.USAGE_ERROR;
        }
        HttpResponse<String> r;
        try {
            r = AdminClient.of(o.admin(), o.config()).get("/status");
        } catch (AdminClient.Unreachable e) {
            e.findings().forEach(out::println);
            err.println("haagent status: " + e.getMessage());
            return Main.USAGE_ERROR;
        }
        if (r.statusCode() != 200) {
            err.println("haagent status: the daemon answered HTTP " + r.statusCode() + ": " + r.body().strip());
            return Main.USAGE_ERROR;
        }
        if (o.json()) {
            out.print(r.body());
            return Main.OK;
        }
        out.print(render(Json.read(r.body()), Instant.now()));
        return Main.OK;
    }

    /** "load: in_service, load1 0.42, memory 1.2 of 3.8 GiB free; sample 42 sent to http://... 3s ago; 0 waiting". */
    private static String loadLine(Map<?, ?> l, Instant now) {
        StringBuilder sb = new StringBuilder("load: ");
        if (l.get("seq") == null) {
            return sb.append("no sample yet; to ").append(l.get("sink")).toString();
        }
        sb.append(l.get("lifecycle")).append(", load1 ").append(l.get("node_load1"));
        if (l.get("node_memory_MemAvailable_bytes") != null && l.get("node_memory_MemTotal_bytes") != null) {
            sb.append(String.format(java.util.Locale.ROOT, ", memory %.1f of %.1f GiB free",
                    Double.parseDouble(String.valueOf(l.get("node_memory_MemAvailable_bytes"))) / (1L << 30),
                    Double.parseDouble(String.valueOf(l.get("node_memory_MemTotal_bytes"))) / (1L << 30)));
        }
        sb.append("; sample ").append(l.get("seq")).append(" to ").append(l.get("sink"));
        sb.append(l.get("last_success") == null ? ", none sent yet" : ", last sent " + age(l.get("last_success"), now)
                + " ago");
        if (l.get("failing") != null) {
            sb.append("; FAILING (").append(l.get("failing")).append(")");
        }
        return sb.append("; ").append(l.get("buffered")).append(" waiting").toString();
    }

    /** The status JSON as one line about the node and a table per section. */
    @SuppressWarnings("unchecked")
    static String render(Object tree, Instant now) {
        Map<String, Object> s = (Map<String, Object>) tree;
        StringBuilder sb = new StringBuilder();
        sb.append("node ").append(s.getOrDefault("node", "?")).append(" (").append(s.getOrDefault("version", "?"))
                .append(")");
        if (s.get("daemon_pid") != null) { // a daemon from before the pid was in /status has none
            sb.append(", pid ").append(s.get("daemon_pid"));
        }
        sb.append(", running for ").append(age(s.get("since"), now));
        if (s.get("paused") instanceof Map<?, ?> p) {
            sb.append("; PAUSED: ").append(p.get("reason")).append(until(p.get("until"), now));
        }
        if (s.get("drained") != null) { // issue 12: node drain keeps every instance out of elections
            sb.append("; DRAINED: ").append(s.get("drained")).append(" until node resume");
        }
        sb.append('\n');
        if (s.get("mail") instanceof Map<?, ?> m) {
            sb.append("mail: ").append(m.get("pending")).append(" pending");
            if (m.get("last_failure") != null) {
                sb.append("; last failure: ").append(m.get("last_failure"));
            }
            if (m.get("dropped") instanceof Number d && d.longValue() > 0) {
                sb.append("; dropped ").append(d.longValue()).append(" (queue full)");
            }
            sb.append('\n');
        }
        if (s.get("load_push") instanceof Map<?, ?> l) { // issue 15: the latest sample, in a line
            sb.append(loadLine(l, now)).append('\n');
        }
        table(sb, "CHECK", (List<Map<String, Object>>) s.getOrDefault("checks", List.of()), now,
                List.of("type", "state", "since", "reason"));
        List<Map<String, Object>> services = new ArrayList<>();
        for (Map<String, Object> row : (List<Map<String, Object>>) s.getOrDefault("services", List.of())) {
            Map<String, Object> r = new java.util.LinkedHashMap<>(row);
            if (row.get("paused") != null) {
                r.put("reason", "paused: " + row.get("paused") + until(row.get("paused_until"), now));
            }
            services.add(r);
        }
        table(sb, "SERVICE", services, now, List.of("state", "since", "restarts", "reason"));
        List<Map<String, Object>> vrrp = new ArrayList<>();
        for (Map<String, Object> row : (List<Map<String, Object>>) s.getOrDefault("vrrp", List.of())) {
            Map<String, Object> r = new java.util.LinkedHashMap<>(row);
            if (row.get("hold") instanceof Map<?, ?> hold) { // a drain, or a switchover that stepped it down
                r.put("state", row.get("state") + ("DRAINED".equals(hold.get("kind")) ? " (drained)" : " (stepped down)"));
            }
            if (row.get("lease") instanceof Map<?, ?> lease) { // coordination.zookeeper.lease_for
                r.put("state", r.get("state") + lease(lease));
            }
            r.put("peers heard", row.get("error") != null ? "not started: " + row.get("error")
                    : heard((List<Map<String, Object>>) row.getOrDefault("peers", List.of()), now)
                    + dropped((Map<String, Object>) row.getOrDefault("drops", Map.of())));
            vrrp.add(r);
        }
        table(sb, "VRRP", vrrp, now, List.of("state", "since", "priority", "master", "peers heard"));
        return sb.toString();
    }

    /** " (lease 0x2c)", " (waiting for the lease held by redis-a (session 0x1a))": what the lease does now. */
    private static String lease(Map<?, ?> lease) {
        Object waiting = lease.get("waiting");
        return switch (String.valueOf(lease.get("phase"))) {
            case "HELD" -> " (lease " + lease.get("epoch") + ")";
            case "SUSPENDED" -> " (lease " + lease.get("epoch") + " SUSPENDED, writes paused)";
            case "FAILSAFE" -> " (failsafe: MASTER without the lease while the peer agrees)";
            case "ACQUIRING" -> waiting == null ? " (asking for the lease)"
                    : String.valueOf(waiting).startsWith("failed: ") ? " (lease not acquired: "
                    + String.valueOf(waiting).substring("failed: ".length()) + ")"
                    : " (waiting for the lease held by " + waiting + ")";
            default -> "";
        };
    }

    private static void table(StringBuilder sb, String title, List<Map<String, Object>> rows, Instant now, List<String> cols) {
        if (rows.isEmpty()) {
            return;
        }
        List<List<String>> cells = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of(title));
        cols.forEach(c -> header.add(c.toUpperCase(java.util.Locale.ROOT)));
        cells.add(header);
        for (Map<String, Object> row : rows) {
            List<String> line = new ArrayList<>(List.of(String.valueOf(row.get("name"))));
            for (String c : cols) {
                Object v = row.get(c);
                line.add(c.equals("since") ? age(v, now) : v == null ? "-" : String.valueOf(v));
            }
            cells.add(line);
        }
        int[] width = new int[header.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < line.size() - 1; i++) {
                width[i] = Math.max(width[i], line.get(i).length());
            }
        }
        sb.append('\n');
        for (List<String> line : cells) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                l.append(i == line.size() - 1 ? line.get(i) : String.format("%-" + (width[i] + 2) + "s", line.get(i)));
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
    }

    /** "10.0.1.11 0s ago (prio 150), 10.0.1.12 never" */
    private static String heard(List<Map<String, Object>> peers, Instant now) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> p : peers) {
            Object at = p.get("last_heard");
            parts.add(p.get("address") + (at == null ? " never" : " " + age(at, now) + " ago (prio " + p.get("priority") + ")"));
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    /**
     * "; dropped 12 bad_auth, 3 not_a_peer", or nothing: refused adverts are how a split config (a wrong
     * key, a missing peer) shows, so they stand next to the peers that were (not) heard.
     */
    private static String dropped(Map<String, Object> drops) {
        List<String> parts = new ArrayList<>();
        drops.forEach((reason, n) -> {
            if (n instanceof Number c && c.longValue() > 0) {
                parts.add(c.longValue() + " " + reason);
            }
        });
        return parts.isEmpty() ? "" : "; dropped " + String.join(", ", parts);
    }

    /** " until 2026-12-05T00:30:00Z (in 59m58s)", or " until resumed" for a pause without expiry. */
    private static String until(Object iso, Instant now) {
        if (!(iso instanceof String s)) {
            return " until resumed";
        }
        try {
            return " until " + s + " (in " + age(now.toString(), Instant.parse(s)) + ")";
        } catch (DateTimeParseException e) {
            return " until " + s;
        }
    }

    /** "3m12s" since an ISO instant; "-" when absent or unreadable. */
    static String age(Object iso, Instant now) {
        if (!(iso instanceof String s)) {
            return "-";
        }
        try {
            Duration d = Duration.between(Instant.parse(s), now);
            long secs = Math.max(0, d.toSeconds());
            if (secs < 60) {
                return secs + "s";
            }
            if (secs < 3600) {
                return secs / 60 + "m" + (secs % 60 == 0 ? "" : secs % 60 + "s");
            }
            if (secs < 86400) {
                return secs / 3600 + "h" + (secs % 3600 / 60 == 0 ? "" : secs % 3600 / 60 + "m");
            }
            return secs / 86400 + "d" + (secs % 86400 / 3600 == 0 ? "" : secs % 86400 / 3600 + "h");
        } catch (DateTimeParseException e) {
            return "-";
        }
    }

    /** The options {@code status} and {@code reload} share. */
    record Options(Optional<String> admin, Path config, boolean json) {
        static Options parse(String command, String[] args, PrintStream err) {
            Optional<String> admin = Optional.empty();
            Path config = io.haagent.config.Defaults.CONFIG_FILE;
            boolean json = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if ((a.equals("--admin") || a.equals("--config")) && i + 1 < args.length) {
                    if (a.equals("--admin")) {
                        admin = Optional.of(args[++i]);
                    } else {
                        config = Path.of(args[++i]);
                    }
                } else if (a.startsWith("--admin=")) {
                    admin = Optional.of(a.substring("--admin=".length()));
                } else if (a.startsWith("--config=")) {
                    config = Path.of(a.substring("--config=".length()));
                } else if (a.equals("--json") && command.equals("status")) {
                    json = true;
                } else {
                    err.println("haagent " + command + ": unexpected '" + a + "'; usage: haagent " + command
                            + " [--admin HOST:PORT] [--config FILE]" + (command.equals("status") ? " [--json]" : ""));
                    return null;
                }
            }
            return new Options(admin, config, json);
        }
    }
}
