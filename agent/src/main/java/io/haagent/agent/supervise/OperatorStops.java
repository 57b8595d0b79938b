package io.haagent.agent.supervise;

import io.haagent.agent.heal.HealState;
import io.haagent.agent.heal.Observation;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's stop outlives the agent: {@code <state_dir>/run/<service>.stopped} holds its reason from the heal
 * decision that stopped the service until the one that starts it again (or the service leaves the config). The next
 * agent reads them before it starts anything, so an upgrade (a planned agent restart) does not start what an operator
 * stopped: {@code ctl stop} promises "stays stopped until haagent ctl start".
 */
final class OperatorStops {
    private static final Logger log = LoggerFactory.getLogger(HealLoop.class);
    private static final String SUFFIX = ".stopped";

    private final Path root;
    /** What the files say now, as this agent wrote or found them. */
    private final Map<String, String> onDisk = new HashMap<>();

    OperatorStops(Path stateDir) {
        this.root = stateDir.resolve("run");
    }

    /**
     * The stops an earlier agent left, as the operator's requests again, for the services configured now; the files
     * of services no longer configured go.
     */
    List<Observation> restore(Set<String> services) {
        List<Observation> again = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return again;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String service = name.substring(0, name.length() - SUFFIX.length());
                if (!services.contains(service)) {
                    Files.deleteIfExists(file);
                    continue;
                }
                String reason = Files.readString(file).strip();
                onDisk.put(service, reason);
                log.info("service {}: still stopped by an operator after the agent restart ({}); haagent ctl start {}"
                        + " starts it", service, reason, service);
                again.add(new Observation.OperatorStopped(service, reason));
            }
        } catch (IOException e) {
            log.warn("cannot read the operators' stops in {}: {}; services an operator stopped may start", root, e.toString());
        }
        return again;
    }

    /** Brings the files in line with the stops in {@code state}: a write or a delete per change, nothing otherwise. */
    void sync(HealState state) {
        Map<String, String> now = new HashMap<>();
        state.services().forEach((service, status) -> status.stoppedBy().ifPresent(r -> now.put(service, r)));
        if (now.equals(onDisk)) {
            return;
        }
        for (String gone : List.copyOf(onDisk.keySet())) {
            if (!now.containsKey(gone)) {
                delete(gone);
            }
        }
        now.forEach((service, reason) -> {
            if (!reason.equals(onDisk.get(service))) {
                write(service, reason);
            }
        });
    }

    private void write(String service, String reason) {
        Path file = root.resolve(service + SUFFIX);
        try {
            Files.createDirectories(root);
            Path next = root.resolve(service + SUFFIX + ".next");
            Files.writeString(next, reason + "\n");
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            onDisk.put(service, reason);
        } catch (IOException e) {
            log.warn("service {}: cannot record its stop in {}: {}; a restarted agent would start it", service, file,
                    e.toString());
        }
    }

    private void delete(String service) {
        Path file = root.resolve(service + SUFFIX);
        try {
            Files.deleteIfExists(file);
            onDisk.remove(service);
        } catch (IOException e) {
            log.warn("service {}: cannot delete {}: {}; a restarted agent would keep it stopped", service, file,
                    e.toString());
        }
    }
}
