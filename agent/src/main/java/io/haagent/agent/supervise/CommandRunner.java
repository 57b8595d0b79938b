package io.haagent.agent.supervise;

import io.haagent.linux.SdNotify;
import io.haagent.linux.SearchPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs external programs (systemctl, virsh, xl, restart commands, kill) with a timeout, capturing
 * their output. The one place that finds binaries: a program named without a slash is looked up in
 * {@code binaries} first, then in {@code searchPath} — tests point both at recording scripts instead
 * of mocking our own code.
 *
 * <p>Each command leads its own process group (through {@code setsid}, when util-linux is installed), so
 * that a kill reaches what it forked even after its parent exited and left it to init; {@link #stopAll()}
 * kills every command still running that way, for an agent that is stopping.
 */
public final class CommandRunner {
    private static final int OUTPUT_LIMIT = 16 * 1024;

    /** setsid(1) from the agent's PATH: not a program tests replace, so not looked up in {@code binaries}. */
    private static final Optional<Path> SETSID =
            SearchPath.find("setsid", SearchPath.dirs(SearchPath.agents() + ":" + SearchPath.DEFAULT));

    private final Map<String, Path> binaries;
    private final List<Path> searchPath;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private boolean stopped; // guarded by running

    /**
     * What a command gets instead of the agent's environment and working directory.
     *
     * @param env     its whole environment; {@code PATH} is the runner's search path whatever this says
     * @param workdir its working directory
     */
    public record Launch(Map<String, String> env, Path workdir) {
        public Launch {
            env = Map.copyOf(env);
        }
    }

    /**
     * @param binaries   program name to the binary to run instead ({@code "virsh" -> /opt/test/virsh})
     * @param searchPath directories to find other programs in, in order; also the commands' PATH
     */
    public CommandRunner(Map<String, Path> binaries, List<Path> searchPath) {
        this.binaries = Map.copyOf(binaries);
        this.searchPath = List.copyOf(searchPath);
    }

    /** The agent's PATH (or {@link SearchPath#DEFAULT}), no overrides. */
    public static CommandRunner system() {
        return new CommandRunner(Map.of(), SearchPath.dirs(SearchPath.agents()));
    }

    /** What a command did. {@code output} is stdout and stderr together, at most the last 16 KiB. */
    public record Result(List<String> argv, int exitCode, String output, boolean timedOut, Duration timeout) {
        public boolean ok() {
            return !timedOut && exitCode == 0;
        }

        /** One line for logs and events: {@code "systemctl restart app.service: exit 1: Unit app.service not found."}. */
        public String summary() {
            String head = String.join(" ", argv) + ": "
                    + (timedOut ? "timed out after " + timeout.toMillis() + "ms and was killed" : "exit " + exitCode);
            String tail = oneLine(output);
            return tail.isEmpty() ? head : head + ": " + tail;
        }

        /** The last lines of the output, joined with " | ", at most 300 characters. */
        static String oneLine(String output) {
            List<String> lines = output.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
            String s = String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
            return s.length() <= 300 ? s : "..." + s.substring(s.length() - 297);
        }
    }

    /** The binary that would run for {@code program}; a name with a slash is taken as it is. */
    public Path resolve(String program) throws IOException {
        if (program.contains("/")) {
            return Path.of(program);
        }
        Path p = binaries.get(program);
        if (p != null) {
            return p;
        }
        Optional<Path> found = SearchPath.find(program, searchPath);
        if (found.isPresent()) {
            return found.get();
        }
        throw new IOException("program '" + program + "' was not found in " + searchPathText()
                + "; install it, or add its directory to the agent's PATH (a restart_command or a VM command may"
                + " also name it by its absolute path)");
    }

    String searchPathText() {
        return searchPath.stream().map(Path::toString).collect(Collectors.joining(":"));
    }

    /**
     * Runs {@code argv} to completion or until {@code timeout}, when it and everything it started are
     * killed. stdin is /dev/null. A non-zero exit is a result, not an exception.
     *
     * @throws IOException when the program cannot be found or started
     */
    public Result run(List<String> argv, Duration timeout) throws IOException {
        return run(argv, timeout, Optional.empty());
    }

    /**
     * As {@link #run(List, Duration)}, with {@code launch}'s environment and working directory instead of
     * the agent's.
     *
     * @throws IOException also when {@link #stopAll()} was called: the agent is stopping
     */
    public Result run(List<String> argv, Duration timeout, Optional<Launch> launch) throws IOException {
        List<String> cmd = new ArrayList<>();
        SETSID.ifPresent(s -> cmd.add(s.toString()));
        cmd.add(resolve(argv.get(0)).toString());
        cmd.addAll(argv.subList(1, argv.size()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        launch.ifPresent(l -> {
            pb.environment().clear();
            pb.environment().putAll(l.env());
            pb.directory(l.workdir().toFile());
        });
        pb.environment().put("PATH", searchPathText());
        SdNotify.scrub(pb.environment()); // systemd's socket and watchdog are the daemon's, not its commands'
        Process p = start(pb, argv);
        try {
            return await(p, argv, timeout);
        } finally {
            running.remove(p);
        }
    }

    private Process start(ProcessBuilder pb, List<String> argv) throws IOException {
        synchronized (running) { // a stopAll() either sees this process or keeps it from starting
            if (stopped) {
                throw new IOException("did not run " + String.join(" ", argv) + ": the agent is stopping");
            }
            try {
                Process p = pb.start();
                running.add(p);
                return p;
            } catch (IOException e) {
                throw new IOException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Kills every command still running, group and all, and refuses to start any other: the agent is
     * stopping, and nothing it started may outlive it. The runs being killed return as killed.
     */
    public void stopAll() {
        List<Process> left;
        synchronized (running) {
            stopped = true;
            left = List.copyOf(running);
        }
        left.forEach(CommandRunner::killGroup);
    }

    /**
     * SIGKILL to the command's process group — which holds what it forked even when that was left to init — and
     * to its live descendants, should it have no group of its own (no setsid) or they have left it.
     */
    private static void killGroup(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        // even when the leader has exited: what it left behind keeps its group, and the id with it
        if (SETSID.isPresent()) {
            try {
                // kill(1) is the only way Java has to signal a group; not through run(), which may be stopped
                Process k = new ProcessBuilder("sh", "-c", "kill -s KILL -- \"$0\"", "-" + p.pid())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                k.waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                // no sh: the descendants above and the child below are what can be reached
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        p.destroyForcibly();
    }

    private Result await(Process p, List<String> argv, Duration timeout) throws IOException {
        Tail tail = new Tail();
        Thread reader = Thread.ofVirtual().name("cmd-output-" + p.pid()).start(() -> tail.drain(p.getInputStream()));
        boolean timedOut = false;
        try {
            if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                timedOut = true;
                // A retry must never overlap a run that is still going: kill it and all it started.
                killGroup(p);
                p.waitFor();
            }
            reader.join(Duration.ofSeconds(2)); // a grandchild may still hold the pipe; do not wait for it
        } catch (InterruptedException e) {
            killGroup(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", argv), e);
        }
        return new Result(List.copyOf(argv), p.exitValue(), tail.text(), timedOut, timeout);
    }

    /** Keeps the last {@link #OUTPUT_LIMIT} bytes of a stream, reading it to the end so the writer never blocks. */
    private static final class Tail {
        private final byte[] buf = new byte[OUTPUT_LIMIT];
        private int len;
        private boolean truncated;

        void drain(InputStream in) {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    append(chunk, n);
                }
            } catch (IOException e) {
                // the process is gone and took the pipe with it: what was read is what there is
            }
        }

        private synchronized void append(byte[] chunk, int n) {
            if (n >= buf.length) {
                System.arraycopy(chunk, n - buf.length, buf, 0, buf.length);
                len = buf.length;
                truncated = true;
                return;
            }
            int overflow = len + n - buf.length;
            if (overflow > 0) {
                System.arraycopy(buf, overflow, buf, 0, len - overflow);
                len -= overflow;
                truncated = true;
            }
            System.arraycopy(chunk, 0, buf, len, n);
            len += n;
        }

        synchronized String text() {
            String s = new String(buf, 0, len, StandardCharsets.UTF_8);
            return truncated ? "..." + s : s;
        }
    }
}
