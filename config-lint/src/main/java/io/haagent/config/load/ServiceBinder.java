package io.haagent.config.load;

import static io.haagent.config.load.Variants.row;

import io.haagent.config.AwsId;
import io.haagent.config.Defaults;
import io.haagent.config.Durations;
import io.haagent.config.ServiceSpec;
import io.haagent.config.load.Fields.Conv;
import io.haagent.lint.finding.DidYouMean;
import io.haagent.lint.finding.Rule;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Binds one entry of {@code services:}: its restart means, restart policy and escalation to a VM restart. */
final class ServiceBinder {
    private final Values values;
    private final Findings findings;
    private final SourceMap source;

    /** How the service is restarted: exactly one of these sub-keys, or none for a service that is only watched. */
    private final Variants<Conv<ServiceSpec.RestartMeans>> means = Variants.of(
            row("process", this::process),
            row("systemd", this::systemd),
            row("restart_command", this::restartCommand));

    private final Variants<Function<Fields, ServiceSpec.VmRestart>> vmTypes = Variants.of(
            row("libvirt", this::libvirt),
            row("xen", this::xen),
            row("ec2", this::ec2),
            row("command", this::commandVm));

    ServiceBinder(Values values) {
        this.values = values;
        this.findings = values.binding.findings;
        this.source = values.binding.source;
    }

    ServiceSpec service(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        List<String> checks = f.opt("checks", values.list(values::string, false), List.of());
        Optional<ServiceSpec.RestartMeans> restartMeans = f.oneOf(means);
        ServiceSpec.RestartPolicy restart = f.opt("restart", this::restartPolicy, defaultRestartPolicy());
        Optional<ServiceSpec.Escalation> escalate = f.opt("escalate", (en, ep) -> escalation(en, ep, restart));
        List<String> dependsOn = f.opt("depends_on", values.list(values::string, false), List.of());
        return f.done(() -> new ServiceSpec(checks, restartMeans, restart, escalate, dependsOn));
    }

    private static ServiceSpec.RestartPolicy defaultRestartPolicy() {
        return new ServiceSpec.RestartPolicy(new ServiceSpec.Backoff(Defaults.BACKOFF_INITIAL, Defaults.BACKOFF_MAX),
                Defaults.MAX_RESTARTS, Defaults.RESTART_WITHIN, Optional.empty());
    }

    // ---------------------------------------------------------------- restart means

    private ServiceSpec.Process process(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        List<String> cmd = f.req("command", values.command(),
                "the command as a list, like [\"/usr/bin/java\", \"-jar\", \"/srv/app.jar\"]");
        Optional<Path> workdir = f.opt("workdir", values.dir());
        Map<String, String> env = f.opt("env", values::stringMap, Map.of());
        ServiceSpec.StopSignal signal = f.opt("stop_signal", this::stopSignal, Defaults.STOP_SIGNAL);
        Duration stopTimeout = f.opt("stop_timeout", values.positiveDuration(), Defaults.STOP_TIMEOUT);
        Duration startGrace = f.opt("start_grace", values.duration(), Defaults.START_GRACE);
        return f.done(() -> new ServiceSpec.Process(cmd, workdir, env, signal, stopTimeout, startGrace));
    }

    /** {@code TERM}, {@code SIGTERM} or {@code term}: operators write signals all three ways. */
    private ServiceSpec.StopSignal stopSignal(YamlNode n, String path) {
        String s = values.scalarText(n, path);
        if (s == null) {
            return null;
        }
        String bare = s.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        List<String> names = Arrays.stream(ServiceSpec.StopSignal.values()).map(Enum::name).toList();
        if (!names.contains(bare)) {
            return values.bad(Rule.VALUE_ENUM, n, path, "'" + s + "' is not a stop signal" + DidYouMean.hint(bare, names));
        }
        return ServiceSpec.StopSignal.valueOf(bare);
    }

    private ServiceSpec.Systemd systemd(YamlNode n, String path) {
        Fields s = values.object(n, path);
        if (s == null) {
            return null;
        }
        String unit = s.req("unit", values::unit, "the unit to restart, like app.service");
        return s.done(() -> new ServiceSpec.Systemd(unit));
    }

    /** {@code [words...]}, the first form, or {@code { command: [words...], timeout: 60s }}. */
    private ServiceSpec.RestartCommand restartCommand(YamlNode n, String path) {
        if (!(n instanceof YamlNode.Mapping)) {
            List<String> c = values.command().apply(n, path);
            return c == null ? null : new ServiceSpec.RestartCommand(c, Defaults.RESTART_COMMAND_TIMEOUT);
        }
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        List<String> cmd = f.req("command", values.command(), "the command that restarts the service, as a list");
        Duration timeout = f.opt("timeout", values.positiveDuration(), Defaults.RESTART_COMMAND_TIMEOUT);
        return f.done(() -> new ServiceSpec.RestartCommand(cmd, timeout));
    }

    // ---------------------------------------------------------------- restart policy

    private ServiceSpec.RestartPolicy restartPolicy(YamlNode n, String path) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        ServiceSpec.Backoff backoff = f.opt("backoff", values.object(this::backoff),
                new ServiceSpec.Backoff(Defaults.BACKOFF_INITIAL, Defaults.BACKOFF_MAX));
        int max = f.opt("max_restarts", values.integer(1, 100_000), Defaults.MAX_RESTARTS);
        Duration within = f.opt("within", values.positiveDuration(), Defaults.RESTART_WITHIN);
        Optional<Duration> rearm = f.opt("rearm_after", values.positiveDuration());
        f.finish();
        return new ServiceSpec.RestartPolicy(backoff, max, within, rearm);
    }

    private ServiceSpec.Backoff backoff(Fields b) {
        Duration initial = b.opt("initial", values.positiveDuration(), Defaults.BACKOFF_INITIAL);
        Duration max = b.opt("max", values.positiveDuration(), Defaults.BACKOFF_MAX);
        if (initial.compareTo(max) > 0) {
            findings.add(Rule.VALUE_ORDER, source.at(b.path("initial")), b.path() + ": initial ("
                    + Durations.format(initial) + ") is above max (" + Durations.format(max) + "); make initial <= max");
        }
        b.finish();
        return new ServiceSpec.Backoff(initial, max);
    }

    // ---------------------------------------------------------------- escalation

    private ServiceSpec.Escalation escalation(YamlNode n, String path, ServiceSpec.RestartPolicy restart) {
        Fields f = values.object(n, path);
        if (f == null) {
            return null;
        }
        int after = f.opt("after", values.integer(1, 100_000), restart.maxRestarts());
        ServiceSpec.VmRestart vm = f.req("vm", values.object(v -> v.variant("type", vmTypes, "how to restart the VM")),
                "the VM to restart, like { type: libvirt, domain: web01 }");
        return f.done(() -> new ServiceSpec.Escalation(after, vm));
    }

    private ServiceSpec.VmRestart libvirt(Fields v) {
        String domain = v.req("domain", values::nonEmpty, "the libvirt domain name");
        Optional<String> uri = v.opt("uri", values::nonEmpty);
        return v.done(() -> new ServiceSpec.Libvirt(domain, uri));
    }

    private ServiceSpec.VmRestart xen(Fields v) {
        String domain = v.req("domain", values::nonEmpty, "the Xen domain name");
        Path config = v.req("config", values.absolutePath(), "the domain's config file for 'xl create'");
        return v.done(() -> new ServiceSpec.Xen(domain, config));
    }

    private ServiceSpec.VmRestart ec2(Fields v) {
        Optional<AwsId> id = v.opt("instance_id", values.awsId(AwsId::instance));
        ServiceSpec.Ec2Mode mode = v.opt("mode", values.keyword(ServiceSpec.Ec2Mode.class), ServiceSpec.Ec2Mode.REBOOT);
        Optional<String> region = v.opt("region", values::nonEmpty);
        Optional<URI> endpoint = v.opt("endpoint", values.url());
        return v.done(() -> new ServiceSpec.Ec2(id, mode, region, endpoint));
    }

    private ServiceSpec.VmRestart commandVm(Fields v) {
        List<String> cmd = v.req("command", values.command(), "the command that restarts the VM, as a list");
        Duration timeout = v.opt("timeout", values.positiveDuration(), Defaults.VM_COMMAND_TIMEOUT);
        return v.done(() -> new ServiceSpec.CommandVm(cmd, timeout));
    }
}
