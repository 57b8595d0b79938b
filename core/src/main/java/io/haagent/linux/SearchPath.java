package io.haagent.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a bare program name becomes a file, as exec(3)'s {@code execvp} finds it: the first executable
 * regular file of that name in the {@code PATH} directories, in order. One rule for the supervisor, the
 * command runner and {@code lint --host}, so that lint passes exactly the programs the daemon can start.
 */
public final class SearchPath {
    /** Where programs are looked up when the agent's own PATH is empty or unset. */
    public static final String DEFAULT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private SearchPath() {}

    /** The agent's {@code PATH}, or {@link #DEFAULT} when it has none: what its children get. */
    public static String agents() {
        String p = System.getenv("PATH");
        return p == null || p.isBlank() ? DEFAULT : p;
    }

    /** The directories of a {@code PATH} value, in order; empty entries skipped. */
    public static List<Path> dirs(String path) {
        return Arrays.stream(path.split(":")).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }

    /** The first program named {@code program} in {@code dirs}. */
    public static Optional<Path> find(String program, List<Path> dirs) {
        return dirs.stream().map(d -> d.resolve(program)).filter(SearchPath::isProgram).findFirst();
    }

    /** An executable file that is not a directory (a directory is "executable" too). */
    public static boolean isProgram(Path file) {
        return Files.isExecutable(file) && !Files.isDirectory(file);
    }
}
