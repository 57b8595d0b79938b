package io.haagent.config;

import java.util.Optional;

/**
 * A ZooKeeper node path as ZooKeeper's {@code PathUtils.validatePath} accepts it: absolute, no
 * trailing {@code /}, no empty, {@code .} or {@code ..} segment, no control character. Checked
 * here so that lint, not the first {@code create} at run time, says what is wrong.
 */
public final class ZnodePath {
    private ZnodePath() {}

    /** {@code path} itself when valid; otherwise an exception saying what is wrong and what to write. */
    public static String check(String path) {
        problem(path).ifPresent(wrong -> {
            throw new IllegalArgumentException("'" + path + "' is not a ZooKeeper path: " + wrong
                    + "; write an absolute path like /haagent");
        });
        return path;
    }

    /** What is wrong with {@code path}, if anything. */
    public static Optional<String> problem(String path) {
        return Optional.ofNullable(firstProblem(path));
    }

    private static String firstProblem(String path) {
        if (!path.startsWith("/")) {
            return "it must start with /";
        }
        if (path.equals("/")) {
            return "the root itself cannot hold haagent's nodes; name a node below it";
        }
        if (path.endsWith("/")) {
            return "it must not end with /";
        }
        if (path.chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f))) {
            return "it holds a control character";
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty()) {
                return "it has an empty segment (//)";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "ZooKeeper has no relative segments like '" + segment + "'";
            }
        }
        return null;
    }
}
