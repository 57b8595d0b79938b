package io.haagent.agent.heal;

import io.haagent.config.Durations;
import io.haagent.config.ServiceSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** How durations, VMs and lists read in log sentences. */
final class Texts {
    private Texts() {}

    /** {@code 250ms}, {@code 2.1s}, {@code 42s}, {@code 10m}, {@code 1h30m}: short, for humans. */
    static String duration(long nanos) {
        if (nanos < 1_000_000_000L) {
            return Math.max(0, nanos / 1_000_000L) + "ms";
        }
        if (nanos < 10_000_000_000L) {
            String s = String.format(Locale.ROOT, "%.1f", nanos / 1e9);
            return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "s";
        }
        return Durations.format(Duration.ofSeconds(Math.round(nanos / 1e9)));
    }

    static String duration(Duration d) {
        return duration(d.toNanos());
    }

    static String vm(ServiceSpec.VmRestart vm) {
        return switch (vm) {
            case ServiceSpec.Libvirt l -> "VM " + l.domain() + " (libvirt" + l.uri().map(u -> " " + u).orElse("") + ")";
            case ServiceSpec.Xen x -> "VM " + x.domain() + " (xen)";
            case ServiceSpec.Ec2 e -> e.instanceId().map(i -> "EC2 instance " + i).orElse("this EC2 instance")
                    + " (" + e.mode().name().toLowerCase(Locale.ROOT).replace('_', '/') + ")";
            case ServiceSpec.CommandVm c -> "the VM (command " + String.join(" ", c.command()) + ")";
        };
    }

    /** {@code "1 restart"}, {@code "3 restarts"}. */
    static String restarts(int n) {
        return n + (n == 1 ? " restart" : " restarts");
    }

    static String names(List<String> names) {
        return String.join(", ", names);
    }
}
