package io.haagent.agent.daemon;

import io.haagent.testkit.Eventually;
import io.haagent.testkit.NetnsLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code haagent run} as a real process inside one {@link NetnsLab} host. The test reads what the
 * daemon tells an operator: its state file, and a notify hook that logs every transition.
 */
final class VrrpNode implements AutoCloseable {
    final String name;
    final NetnsLab.Host host;
    final Path dir;
    private final String instance;
    private Process process;

    private VrrpNode(String name, NetnsLab.Host host, Path dir, String instance) {
        this.name = name;
        this.host = host;
        this.dir = dir;
        this.instance = instance;
    }

    /**
     * Writes {@code <dir>/<name>/haagent.yaml} with {@code vrrpBody} as the body of one instance (indented
     * by the caller's text block) and starts the daemon. The body may use {@code @NOTIFY@}, replaced by a
     * notify hook that appends "millis STATE priority" to {@code transitions.log}.
     */
    static VrrpNode start(String name, NetnsLab.Host host, Path parent, String instance, String vrrpBody) throws IOException {
        StringBuilder yaml = new StringBuilder("node:\n  name: " + name + "\n  state_dir: @DIR@/state\nvrrp:\n  "
                + instance + ":\n");
        vrrpBody.lines().forEach(l -> yaml.append("    ").append(l).append('\n'));
        return startYaml(name, host, parent, instance, yaml.toString());
    }

    /**
     * Starts the daemon with a whole config of the caller's, in which {@code @DIR@} stands for the node's
     * directory and {@code @NOTIFY@} for the notify hook (as in {@link #start}).
     */
    static VrrpNode startYaml(String name, NetnsLab.Host host, Path parent, String instance, String yaml) throws IOException {
        Path dir = Files.createDirectories(parent.resolve(name));
        VrrpNode n = new VrrpNode(name, host, dir, instance);
        Path hook = dir.resolve("notify.sh");
        Files.writeString(hook, "#!/bin/sh\necho \"$(date +%s%3N) $3 $4\" >> " + dir.resolve("transitions.log") + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        n.writeConfig(yaml);
        n.launch();
        return n;
    }

    private void writeConfig(String yaml) throws IOException {
        Files.writeString(dir.resolve("haagent.yaml"), yaml.replace("@NOTIFY@", "notify: [\"" + dir.resolve("notify.sh") + "\"]")
                .replace("@DIR@", dir.toString()));
    }

    /**
     * Rewrites the config (the placeholders as in {@link #startYaml}) and sends SIGHUP, as an operator
     * reloads; returns the daemon's answer, its "reload: applied ..." or "reload: kept ..." log line
     * (waits 30 s at most).
     */
    String reload(String yaml) throws IOException, InterruptedException {
        writeConfig(yaml);
        long answered = reloadAnswers().count();
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -HUP " + process.pid() + " failed\n" + log());
        }
        return Eventually.get(Duration.ofSeconds(30), () -> name + " to answer SIGHUP\n" + log(),
                () -> reloadAnswers().skip(answered).findFirst());
    }

    private java.util.stream.Stream<String> reloadAnswers() {
        return log().lines().filter(l -> l.contains("reload: applied ") || l.contains("reload: kept "));
    }

    /** (Re)starts the daemon with the config already written. */
    void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.haagent.agent.cli.Main", "run", "--config", dir.resolve("haagent.yaml").toString()));
        ProcessBuilder pb = host.command(cmd.toArray(String[]::new));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("haagent.log").toFile()));
        process = pb.start();
    }

    /** The state the daemon last wrote to its state file, if any. */
    Optional<String> state() {
        return stateFile().map(m -> m.get("state"));
    }

    /** The state file as key=value pairs. */
    Optional<Map<String, String>> stateFile() {
        Path f = dir.resolve("state").resolve(instance + ".state");
        try {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            for (String l : Files.readAllLines(f)) {
                int eq = l.indexOf('=');
                if (eq > 0) {
                    m.put(l.substring(0, eq), l.substring(eq + 1));
                }
            }
            return Optional.of(m);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every transition the notify hook saw, as "millis STATE priority" lines, in order. */
    List<String> transitions() {
        try {
            Path f = dir.resolve("transitions.log");
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Only the state names of {@link #transitions()}. */
    List<String> states() {
        return transitions().stream().map(l -> l.split(" ")[1]).toList();
    }

    /** Waits (bounded, polling the state file) until the state is {@code want}. */
    void awaitState(String want, Duration timeout) throws InterruptedException {
        await("state", want, timeout);
    }

    /** Waits (bounded) until the state file names {@code master} as the master. */
    void awaitMaster(String master, Duration timeout) throws InterruptedException {
        await("master", master, timeout);
    }

    private void await(String key, String want, Duration timeout) throws InterruptedException {
        Eventually.within(timeout, () -> name + "'s " + key + " to become " + want + "; state file: " + stateFile()
                + "; transitions: " + transitions() + "\n" + log(), () -> {
                    if (stateFile().map(m -> m.get(key)).filter(want::equals).isPresent()) {
                        return true;
                    }
                    if (process != null && !process.isAlive()) {
                        throw new AssertionError(name + " exited with " + process.exitValue() + " before its " + key
                                + " was " + want + "\n" + log());
                    }
                    return false;
                });
    }

    String log() {
        try {
            Path f = dir.resolve("haagent.log");
            return Files.exists(f) ? Files.readString(f) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Waits (bounded) for the daemon to exit on its own (a planned restart) and returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + "\n" + log());
        }
        return process.exitValue();
    }

    /** SIGKILL: the master dies without a word (no priority-0 advert). */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM: a graceful stop, which sends the priority-0 advert. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not stop on SIGTERM\n" + log());
            }
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
