package io.haagent.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and git commit this build was made from, as Maven wrote them into
 * {@code haagent-version.properties}.
 */
record BuildInfo(String version, String commit, boolean dirty) {
    static final String UNKNOWN = "unknown";
    private static final String RESOURCE = "haagent-version.properties";

    static BuildInfo load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // A build without its version file still answers `version`, with "unknown".
        }
        return from(properties);
    }

    /**
     * Reads the filtered properties. A value Maven left as {@code ${...}} (no .git directory, or
     * a repository without a commit yet) or left out reads as "unknown".
     */
    static BuildInfo from(Properties properties) {
        return new BuildInfo(
                value(properties, "version"),
                value(properties, "commit"),
                Boolean.parseBoolean(properties.getProperty("dirty", "").strip()));
    }

    private static String value(Properties properties, String key) {
        String value = properties.getProperty(key, "").strip();
        return value.isEmpty() || value.startsWith("${") ? UNKNOWN : value;
    }

    /** {@code haagent 0.1.0 (a1b2c3d)}, or {@code (a1b2c3d-dirty)} when built from uncommitted changes. */
    String versionLine() {
        return "haagent " + version + " (" + shownCommit() + ")";
    }

    /** The commit as {@link #versionLine} and {@code haagent_build_info} show it: {@code a1b2c3d-dirty} when dirty. */
    String shownCommit() {
        boolean showDirty = dirty && !commit.equals(UNKNOWN);
        return commit + (showDirty ? "-dirty" : "");
    }
}
