package io.haagent.agent.supervise;

import io.haagent.config.ServiceSpec;
import io.haagent.linux.SearchPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a child starts with: a clean environment — {@code PATH} (the agent's), {@code LANG}, {@code LC_ALL} and
 * {@code TZ} when the agent has them, the service's {@code env}, then the two marks {@link #SERVICE} and
 * {@link #STATE_DIR} that let {@link Orphans} find whatever the child starts — and its program, found as the
 * child's exec would find it.
 */
final class ChildEnvironment {
    private static final List<String> INHERITED_ENV = List.of("LANG", "LC_ALL", "TZ");

    /** The service's name: marks every process its children start. */
    static final String SERVICE = "HAAGENT_SERVICE";
    /** The agent's state_dir, absolute: marks every process this agent's children start. */
    static final String STATE_DIR = "HAAGENT_STATE_DIR";
    /** A restart command's: why healing runs it, the sentence's "because" part. */
    static final String REASON = "HAAGENT_REASON";
    /** A restart command's: the event id of the restart, as in the log sentence and the event. */
    static final String EVENT_ID = "HAAGENT_EVENT_ID";

    private final String stateDir;
    private final String path;

    /** @param stateDir the agent's state_dir, absolute */
    ChildEnvironment(String stateDir) {
        this.stateDir = stateDir;
        this.path = SearchPath.agents();
    }

    Map<String, String> of(String service, ServiceSpec.Process spec) {
        Map<String, String> env = base();
        env.putAll(spec.env());
        // Last, so that no service env can unmark its processes: see Orphans.
        env.put(SERVICE, service);
        env.put(STATE_DIR, stateDir);
        return env;
    }

    /**
     * A restart command's or VM command's: the same clean base, then what it is run for. Not marked with
     * {@link #STATE_DIR}: {@link Orphans} must not take what it starts for a child's leftover.
     */
    Map<String, String> forCommand(String service, String reason, String eventId) {
        Map<String, String> env = base();
        env.put(SERVICE, service);
        env.put(REASON, reason);
        env.put(EVENT_ID, eventId);
        return env;
    }

    /** The agent's state_dir, absolute: a restart command's working directory. */
    Path stateDir() {
        return Path.of(stateDir);
    }

    private Map<String, String> base() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", path);
        for (String k : INHERITED_ENV) {
            String v = System.getenv(k);
            if (v != null) {
                env.put(k, v);
            }
        }
        return env;
    }

    /**
     * Finds the program as the child's exec would, so a typo is a clear error rather than an exit 127.
     *
     * @param what starts the error's text: "cannot start service ..."
     */
    static String resolve(String program, String path, String what) throws IOException {
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!SearchPath.isProgram(p)) {
                throw new IOException(what + ": " + program + " is not an executable file");
            }
            return program;
        }
        Optional<Path> found = SearchPath.find(program, SearchPath.dirs(path));
        if (found.isPresent()) {
            return found.get().toString();
        }
        throw new IOException(what + ": '" + program + "' was not found in PATH " + path
                + "; give the absolute path in process.command");
    }
}
