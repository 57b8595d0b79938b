package io.haagent.failover.address;

import io.haagent.linux.SdNotify;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2's {@code ip}. The prefix is the command itself — {@code [ip]} in production,
 * {@code [ip, -n, <netns>]} in tests that act inside a network namespace — followed by the arguments.
 */
@FunctionalInterface
interface IpCommand {
    long TIMEOUT_SECONDS = 10;

    /** What {@code ip} did. */
    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** Runs {@code ip <args>} and waits for it; throws only when it could not be run or did not finish. */
    Result run(List<String> args) throws IOException, InterruptedException;

    /** {@code ip} on the PATH, else where a non-login root shell's PATH may leave it out. */
    static String binary() {
        for (String p : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "ip";
    }

    static IpCommand subprocess(List<String> prefix) {
        List<String> fixed = List.copyOf(prefix);
        return args -> {
            List<String> argv = new ArrayList<>(fixed);
            argv.addAll(args);
            // Files, not pipes: a chatty command cannot block on a full pipe while we wait for it.
            Path out = Files.createTempFile("haagent-ip-", ".out");
            Path err = Files.createTempFile("haagent-ip-", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                SdNotify.scrub(pb.environment()); // systemd's socket is the daemon's, not ip's
                Process p = pb.start();
                try {
                    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IOException(String.join(" ", argv) + " did not finish within " + TIMEOUT_SECONDS
                                + " s");
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    throw e;
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8).strip());
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        };
    }
}
