package io.haagent.agent.supervise;

import io.haagent.config.ServiceSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <state_dir>/run/<service>.pid}: the running child, so a restarted agent finds what a dead one left. Each
 * holds {@code <pid> <start time> <spec fingerprint>}: the start time ({@link #startTime}, by the kernel's clock since
 * boot) proves the pid was not reused, and the
 * fingerprint says whether the child was started as the service is configured now — then it is adopted
 * ({@link AdoptedProcess}) rather than restarted.
 */
final class PidFiles {
    // one logger for the supervisor's sentences, whichever class says them
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final Path root;

    PidFiles(Path stateDir) {
        this.root = stateDir.resolve("run");
    }

    /** A process a previous agent started, and the fingerprint of the spec it was started with (if recorded). */
    record Leftover(ProcessHandle process, Optional<String> startedAs) {
        /** It was started as {@code spec} says. */
        boolean startedWith(ServiceSpec.Process spec) {
            return startedAs.equals(Optional.of(fingerprint(spec)));
        }
    }

    /**
     * A child whose agent was killed (or crashed) outlives it in its own process group. Its pid file names it, and
     * the start time proves the pid was not reused. The file is gone afterwards.
     *
     * @param ownChild the pid of the service's child this agent knows, which is no leftover
     */
    Optional<Leftover> leftover(String service, OptionalLong ownChild) {
        Path file = root.resolve(service + ".pid");
        String[] recorded;
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            recorded = Files.readString(file).strip().split(" ", 3);
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("service {}: cannot read {}: {}", service, file, e.toString());
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(recorded[0]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<ProcessHandle> leftover = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> recorded.length >= 2 && startedAt(h, recorded[1]));
        if (leftover.isEmpty() || ownChild.isPresent() && ownChild.getAsLong() == pid) {
            return Optional.empty();
        }
        return Optional.of(new Leftover(leftover.get(), recorded.length == 3 ? Optional.of(recorded[2]) : Optional.empty()));
    }

    /** {@code <pid> <start time> <spec fingerprint>}: enough for the next agent to adopt the child, or not. */
    void record(String service, ProcessHandle h, ServiceSpec.Process spec) {
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve(service + ".pid"),
                    h.pid() + " " + startTime(h.pid()).orElse("") + " " + fingerprint(spec) + "\n");
        } catch (IOException e) {
            log.warn("service {}: cannot write its pid file under {}: {}; a restarted agent would not find this child",
                    service, root, e.toString());
        }
    }

    /** The child {@code pid} exited: its file goes, unless it names another child by now. */
    void forget(String service, long pid) {
        Path file = root.resolve(service + ".pid");
        try {
            if (Files.exists(file) && Files.readString(file).startsWith(pid + " ")) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a stale file is harmless: its start time will not match a reused pid
        }
    }

    /** What identifies how a child was started, stable across agent runs (records print their fields). */
    static String fingerprint(ServiceSpec.Process spec) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(spec.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * When the kernel started process {@code pid}: {@code boot+<clock ticks after boot>} ({@link ProcStat}). Not the
     * JDK's {@code startInstant}, which adds the boot time by the wall clock: after a step of the wall clock (NTP, a
     * VM's host) between two agents, the same child seemed to have started seconds later, and the new agent stopped
     * the child an upgrade meant it to adopt.
     */
    static Optional<String> startTime(long pid) {
        return ProcStat.of(pid).map(s -> "boot+" + s.startTicks());
    }

    /** {@code h} started when {@code recorded} says: ticks after boot, or the wall-clock instant older agents wrote (an upgrade from one of them). */
    private static boolean startedAt(ProcessHandle h, String recorded) {
        if (recorded.startsWith("boot+")) {
            return startTime(h.pid()).equals(Optional.of(recorded));
        }
        return h.info().startInstant().map(Object::toString).orElse("").equals(recorded);
    }
}
