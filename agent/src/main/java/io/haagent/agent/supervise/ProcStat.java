package io.haagent.agent.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the supervisor reads of {@code /proc/<pid>/stat}: the state letter, the process group and the start time in
 * clock ticks after boot (fields 3, 5 and 22), which no wall-clock step changes.
 */
record ProcStat(char state, long processGroup, long startTicks) {

    /** The process's, or empty when it is gone (or its file cannot be read). */
    static Optional<ProcStat> of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new ProcStat(f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[19])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A zombie or dead: nothing left to signal or adopt. */
    boolean dead() {
        return state == 'Z' || state == 'X';
    }
}
