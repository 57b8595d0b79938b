package io.haagent.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One command of {@link SystemdLab} and {@link DebianRoot} run on this machine to its end, bounded:
 * the exit code and the output (stdout and stderr in their order), whatever the exit code is, so
 * that a caller can assert on a refusal as well as on a success.
 */
final class HostCommand {
    /** Where the tools live on Debian; a non-login root shell may leave the sbin directories off the PATH. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private HostCommand() {}

    /**
     * Runs {@code argv} with {@link #PATH}, stdin from {@code stdin} (null: /dev/null), and waits at
     * most {@code timeout}; then it and everything it started are killed and the result says so
     * (exit code -1).
     */
    static SystemdLab.Result run(List<String> argv, Duration timeout, Path stdin) {
        Path out = null;
        try {
            // A file, not a pipe: a chatty command cannot block on a full pipe while we wait for it.
            out = Files.createTempFile("haagent-systemdlab-", ".out");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                            : ProcessBuilder.Redirect.from(stdin.toFile()));
            pb.environment().put("PATH", PATH);
            Process p = pb.start();
            boolean exited;
            try {
                exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exited = false;
            }
            if (!exited) {
                // descendants first: nsenter's child in the lab would otherwise be re-parented and live on
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(String.join(" ", argv) + " did not die within 10 s of SIGKILL");
                }
                return new SystemdLab.Result(-1, read(out) + "\n(" + String.join(" ", argv)
                        + " did not finish within " + timeout + "; killed)");
            }
            return new SystemdLab.Result(p.exitValue(), read(out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", argv), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + String.join(" ", argv), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temp file left behind is no reason to fail the test
                }
            }
        }
    }

    /** As {@link #run(List, Duration, Path)}, throwing with the output when the exit code is not 0. */
    static String runOrThrow(List<String> argv, Duration timeout) {
        SystemdLab.Result r = run(argv, timeout, null);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + " exited with " + r.exitCode() + ": "
                    + r.output().strip());
        }
        return r.output();
    }

    /**
     * Removes {@code dir} and what is below it, best effort. {@code --one-file-system}: it never
     * descends into a mount, so a lab's bind of {@code /dev} that somehow outlived its namespace
     * cannot take the host's files with it.
     */
    static void removeTree(Path dir) {
        if (Files.exists(dir)) {
            run(List.of("rm", "-rf", "--one-file-system", dir.toString()), Duration.ofMinutes(2), null);
        }
    }

    private static String read(Path out) throws IOException {
        // lenient: a command's output is not always UTF-8 (a binary journal field, a locale)
        return new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
    }
}
