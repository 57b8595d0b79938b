package io.haagent.lint;

import io.haagent.lint.finding.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The lint benchmark (run by {@code benchmarks/lint.sh}, not by the test suite): a generated config
 * of 1,000 checks, 500 services and 50 VRRP instances.
 * {@code LintBench --write FILE} writes it; {@code LintBench FILE} times the lint in this JVM:
 * the first (cold) run, then the median and worst of the following warm runs.
 */
public final class LintBench {
    static final int CHECKS = 1_000;
    static final int SERVICES = 500;
    static final int VRRP = 50;
    private static final int WARM_RUNS = 30;

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--write")) {
            Files.writeString(Path.of(args[1]), generate(CHECKS, SERVICES, VRRP));
            return;
        }
        String file = args[0];
        String text = Files.readString(Path.of(file));
        List<Linter.Source> sources = List.of(new Linter.Source(file, text));
        long t0 = System.nanoTime();
        List<Finding> findings = Linter.lint(sources, Linter.Options.DEFAULT);
        long cold = System.nanoTime() - t0;
        long[] warm = new long[WARM_RUNS];
        for (int i = 0; i < WARM_RUNS; i++) {
            long s = System.nanoTime();
            Linter.lint(sources, Linter.Options.DEFAULT);
            warm[i] = System.nanoTime() - s;
        }
        Arrays.sort(warm);
        System.out.printf("lint in-process: %d lines, %d findings; cold %.1f ms, warm median %.1f ms, warm max %.1f ms (%d runs)%n",
                text.lines().count(), findings.size(), cold / 1e6, warm[WARM_RUNS / 2] / 1e6, warm[WARM_RUNS - 1] / 1e6, WARM_RUNS);
    }

    /** A clean config of the given size, with every check type, restart means and cross-references exercised. */
    static String generate(int checks, int services, int vrrp) {
        StringBuilder sb = new StringBuilder("node:\n  name: bench\n  state_dir: /var/lib/haagent\nchecks:\n");
        String[] types = {
            "{ type: http, url: \"http://127.0.0.1:%d/healthz\", expect_status: [200], expect_body: ok, interval: 5s, timeout: 2s }",
            "{ type: redis, host: 127.0.0.1, port: %d, interval: 1s, timeout: 500ms, fall: 2 }",
            "{ type: tcp, address: \"127.0.0.1:%d\", interval: 2s }",
            "{ type: disk, path: /srv/d%d, max_used_percent: 90, interval: 30s }",
            "{ type: file_age, path: /var/log/app/f%d.log, max_age: 5m }",
            "{ type: command, command: [\"/usr/local/bin/check\", \"%d\"], timeout: 3s }"};
        for (int i = 0; i < checks; i++) {
            sb.append("  c").append(i).append(": ").append(String.format(types[i % types.length], 1024 + i)).append('\n');
        }
        sb.append("services:\n");
        for (int i = 0; i < services; i++) {
            sb.append("  s").append(i).append(":\n");
            sb.append("    checks: [c").append((2 * i) % checks).append(", c").append((2 * i + 1) % checks).append("]\n");
            switch (i % 3) {
                case 0 -> sb.append("    process: { command: [\"/usr/bin/app\", \"--port\", \"").append(8000 + i)
                        .append("\"], workdir: /srv, env: { PORT: \"").append(8000 + i).append("\" }, stop_timeout: 10s }\n");
                case 1 -> sb.append("    systemd: { unit: app").append(i).append(".service }\n");
                default -> sb.append("    restart_command: [\"/usr/local/bin/restart\", \"s").append(i).append("\"]\n");
            }
            sb.append("    restart: { backoff: { initial: 1s, max: 60s }, max_restarts: 5, within: 10m }\n");
            if (i % 10 == 0) {
                sb.append("    escalate: { after: 5, vm: { type: libvirt, domain: vm").append(i).append(" } }\n");
            }
            if (i > 0) {
                sb.append("    depends_on: [s").append(i / 2).append("]\n");
            }
        }
        sb.append("vrrp:\n");
        for (int i = 0; i < vrrp; i++) {
            sb.append("  v").append(i).append(":\n");
            sb.append("    vrid: ").append(i + 1).append("\n    priority: ").append(100 + i % 50).append('\n');
            sb.append("    version: 3\n    advert_interval: 1s\n    interface: eth0\n");
            sb.append("    unicast: { source: 10.0.").append(i).append(".10, peers: [10.0.").append(i).append(".11] }\n");
            sb.append("    preempt: false\n    track: [ { check: c").append(6 * i + 1).append(", weight: 0 } ]\n");
            // the tracked check c(6i+1) is the redis check of the Redis it promotes (port 1024 + 6i + 1)
            sb.append("    on_master:\n      redis_promote: { port: ").append(1024 + 6 * i + 1).append(" }\n");
            sb.append("      address: { local: { ip: 10.0.").append(i).append(".100/24, interface: eth0 } }\n");
            sb.append("    on_backup: { redis_replicate: { port: ").append(1024 + 6 * i + 1).append(" } }\n");
        }
        return sb.toString();
    }
}
