package io.haagent.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Whether stdout is systemd's journal: {@code JOURNAL_STREAM} holds the {@code device:inode} of the stream
 * systemd connected, and only when stdout still is that file (fstat, as sd-daemon compares) do log lines
 * speak to journald. A shell started from the unit, or output redirected to a file, inherits the variable
 * but not the stream (systemd.exec(5), "JOURNAL_STREAM").
 */
public final class JournalStream {
    public static final String VARIABLE = "JOURNAL_STREAM";
    private static final int STDOUT = 1;

    private JournalStream() {}

    /** {@code JOURNAL_STREAM} of this process names its stdout. */
    public static boolean isStdout() {
        return names(System.getenv(VARIABLE), STDOUT);
    }

    /** {@code value} ({@code device:inode}, decimal) names the file open on {@code fd}; false when unset or malformed. */
    public static boolean names(String value, int fd) {
        if (value == null) {
            return false;
        }
        int colon = value.indexOf(':');
        long device;
        long inode;
        try {
            device = Long.parseUnsignedLong(value.substring(0, Math.max(0, colon)));
            inode = Long.parseUnsignedLong(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment stat = arena.allocate(Libc.STAT_SIZE, 8);
            return Libc.fstat(state, fd, stat) == 0 && Libc.statDevice(stat) == device && Libc.statInode(stat) == inode;
        }
    }
}
