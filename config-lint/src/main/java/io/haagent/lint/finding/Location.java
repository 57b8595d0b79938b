package io.haagent.lint.finding;

import java.util.Comparator;

/**
 * A 1-based line and column in a config file. {@code file} is the file it stands in when that is a
 * file the config includes, and null in the file that was loaded: a finding there names that file
 * itself, as it did before {@code include:} existed, so single-file output is unchanged.
 */
public record Location(int line, int column, String file) implements Comparable<Location> {
    public static final Location START = new Location(1, 1);

    // The loaded file (null) first, then included files by name; within a file, by line and column.
    private static final Comparator<Location> ORDER = Comparator.comparing(Location::file,
            Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .thenComparingInt(Location::line).thenComparingInt(Location::column);

    /** A position in the file that was loaded. */
    public Location(int line, int column) {
        this(line, column, null);
    }

    /** The same position in {@code file} (null: the file that was loaded). */
    public Location in(String file) {
        return new Location(line, column, file);
    }

    /** The file this position is in: its own, else {@code loaded}, the name of the file that was loaded. */
    public String fileOr(String loaded) {
        return file == null ? loaded : file;
    }

    @Override
    public int compareTo(Location o) {
        return ORDER.compare(this, o);
    }
}
