package io.haagent.failover.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code run_id} of the local Redis as haagent last promoted it or made it a replica, kept in a file of the
 * state dir so that a restarted agent still knows it: a master with another {@code run_id} restarted since, and
 * is not promoted without the operator ({@link PromotionGuard}).
 */
public final class KnownRedis {
    private static final Logger log = LoggerFactory.getLogger("io.haagent.failover.vrrp");

    private final Path file;

    public KnownRedis(Path file) {
        this.file = file;
    }

    /** The remembered run_id; empty when none was (a new state dir) or the file cannot be read. */
    public Optional<String> runId() {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Remembers {@code runId}, replacing the file atomically; a failure is logged, since the action itself succeeded. */
    public void remember(String runId) {
        if (runId().filter(runId::equals).isPresent()) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, runId + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("cannot remember the local Redis's run_id in {}: {}; after a restart of this agent a Redis that"
                    + " restarted as a master would not be told from the one it promoted", file, e.toString());
        }
    }
}
