package io.haagent.config.load;

import io.haagent.lint.finding.Location;
import java.nio.file.Path;

/** A file or directory the config names, for the checks that look at the host. */
public record FileRef(String configPath, Path path, Kind kind, Location at) {
    /** {@code PROGRAM}: a file this host must be able to execute (a notify hook). */
    public enum Kind { SECRET, DIRECTORY, PROGRAM }
}
