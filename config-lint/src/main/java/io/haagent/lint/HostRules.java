package io.haagent.lint;

import io.haagent.config.Ipv4;
import io.haagent.config.ServiceSpec;
import io.haagent.config.VrrpInstance;
import io.haagent.config.load.FileRef;
import io.haagent.config.load.LoadResult;
import io.haagent.lint.finding.DidYouMean;
import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import io.haagent.linux.SearchPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Rules that ask whether this config fits the machine it runs on; only with {@code --host}. */
final class HostRules {
    private HostRules() {}

    static List<Finding> check(LoadResult loaded, HostFacts host) {
        List<Finding> out = new ArrayList<>();
        for (FileRef f : loaded.files()) {
            boolean ok = f.kind() == FileRef.Kind.DIRECTORY ? Files.isDirectory(f.path()) : Files.isRegularFile(f.path());
            if (!ok) {
                String what = f.kind() == FileRef.Kind.DIRECTORY ? "directory" : "file";
                out.add(new Finding(loaded.file(), f.at(), Rule.HOST_FILE_MISSING, f.configPath() + ": " + f.path()
                        + (Files.exists(f.path()) ? " is not a " + what : " does not exist on this host")
                        + (f.kind() == FileRef.Kind.PROGRAM ? "; install the program there or fix the path"
                                : "; create it or fix the path")));
            } else if (f.kind() == FileRef.Kind.PROGRAM && !Files.isExecutable(f.path())) {
                out.add(new Finding(loaded.file(), f.at(), Rule.HOST_NOT_EXECUTABLE, f.configPath() + ": " + f.path()
                        + " is not executable here, so the hook would fail on every transition; run chmod +x "
                        + f.path()));
            }
        }
        loaded.bound().services().forEach((name, s) -> s.means().ifPresent(m -> {
            if (m instanceof ServiceSpec.Process p) {
                processProgram(out, loaded, "services." + name + ".process.command[0]", p);
            }
        }));
        loaded.bound().vrrp().forEach((name, v) -> {
            String p = "vrrp." + name;
            iface(out, loaded, p + ".interface", v.iface(), host);
            v.onMaster().address().ifPresent(a -> {
                switch (a) {
                    case VrrpInstance.LocalAddress l -> iface(out, loaded, p + ".on_master.address.local.interface",
                            Optional.of(l.iface()), host);
                    case VrrpInstance.SecondaryIp s -> iface(out, loaded, p + ".on_master.address.secondary_ip.interface",
                            s.iface(), host);
                    case VrrpInstance.Eni e -> { }
                }
            });
            redisRewrite(out, loaded, p, v, host);
            Ipv4 source = v.unicast().source();
            if (!host.isLocal(source)) {
                out.add(new Finding(loaded.file(), loaded.source().at(p + ".unicast.source"), Rule.HOST_SOURCE_NOT_LOCAL,
                        p + ".unicast.source: " + source + " is not an address of this host (it has "
                                + String.join(", ", new TreeSet<>(host.addresses().stream().map(Ipv4::toString).toList()))
                                + "); adverts must come from here, so use one of those, or lint on the host this file is for"));
            }
        });
        return out;
    }

    /**
     * The program a supervised process runs, found as agent.supervise.ChildEnvironment finds it: a
     * path as it stands, a bare name in the service's {@code env} PATH, else the agent's. Issue 12: a
     * missing program passed lint, and the daemon then spent the service's restarts in 0.3 s and went FATAL.
     */
    private static void processProgram(List<Finding> out, LoadResult loaded, String path, ServiceSpec.Process p) {
        String program = p.command().getFirst();
        Location at = loaded.source().at(path);
        String fate = ", so the service could not start";
        if (program.contains("/")) {
            Path file = Path.of(program);
            if (!file.isAbsolute()) {
                return; // relative to the daemon's working directory, which lint cannot know
            }
            if (!Files.exists(file)) {
                out.add(new Finding(loaded.file(), at, Rule.HOST_FILE_MISSING, path + ": " + program
                        + " does not exist on this host" + fate + "; install the program there or fix the path"));
            } else if (Files.isDirectory(file)) {
                out.add(new Finding(loaded.file(), at, Rule.HOST_FILE_MISSING, path + ": " + program
                        + " is a directory, not a program" + fate + "; name the program in it"));
            } else if (!Files.isExecutable(file)) {
                out.add(new Finding(loaded.file(), at, Rule.HOST_NOT_EXECUTABLE, path + ": " + program
                        + " is not executable here" + fate + "; run chmod +x " + program));
            }
            return;
        }
        String own = p.env().get("PATH");
        String searchPath = own != null ? own : SearchPath.agents();
        if (SearchPath.find(program, SearchPath.dirs(searchPath)).isEmpty()) {
            out.add(new Finding(loaded.file(), at, Rule.HOST_FILE_MISSING, path + ": '" + program + "' is not in PATH "
                    + searchPath + (own != null ? " (the service's env)" : "") + fate
                    + "; install it, or give its absolute path"));
        }
    }

    /** The promoted and the replicating Redis (usually one), each asked once. */
    private static void redisRewrite(List<Finding> out, LoadResult loaded, String p, VrrpInstance v, HostFacts host) {
        java.util.Set<String> asked = new java.util.HashSet<>();
        v.onMaster().redisPromote().filter(VrrpInstance.RedisPromote::configRewrite).ifPresent(r -> {
            asked.add(r.host() + ":" + r.port());
            host.redisRewriteProblem(r.host(), r.port(), r.password()).ifPresent(why -> out.add(new Finding(loaded.file(),
                    loaded.source().at(p + ".on_master.redis_promote"), Rule.HOST_REDIS_NOT_REWRITABLE,
                    p + ".on_master.redis_promote: " + why)));
        });
        v.onBackup().redisReplicate().filter(VrrpInstance.RedisReplicate::configRewrite)
                .filter(r -> asked.add(r.host() + ":" + r.port()))
                .ifPresent(r -> host.redisRewriteProblem(r.host(), r.port(), r.password()).ifPresent(why -> out.add(
                        new Finding(loaded.file(), loaded.source().at(p + ".on_backup.redis_replicate"),
                                Rule.HOST_REDIS_NOT_REWRITABLE, p + ".on_backup.redis_replicate: " + why))));
    }

    private static void iface(List<Finding> out, LoadResult loaded, String path, Optional<String> iface, HostFacts host) {
        iface.filter(i -> !host.interfaces().contains(i)).ifPresent(i -> out.add(new Finding(loaded.file(),
                loaded.source().at(path), Rule.HOST_INTERFACE_MISSING, path + ": this host has no interface '" + i + "'"
                + DidYouMean.hint(i, new TreeSet<>(host.interfaces())))));
    }
}
