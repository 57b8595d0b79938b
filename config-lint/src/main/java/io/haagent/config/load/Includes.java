package io.haagent.config.load;

import io.haagent.config.load.YamlNode.Entry;
import io.haagent.config.load.YamlNode.Mapping;
import io.haagent.config.load.YamlNode.Scalar;
import io.haagent.config.load.YamlNode.Sequence;
import io.haagent.lint.finding.Rule;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The top-level {@code include:} (issue 12): each item a file, a directory (its {@code *.yaml} and
 * {@code *.yml} files) or a glob in its last name ({@code conf.d/*.yaml}), relative to the directory
 * of the file that names it, matches in name order. The included trees are merged in order, each
 * later one over the earlier, and the including file's own keys over all of them, before anything
 * is bound: a value is judged only where it won, and every node still names the file it was read
 * from. An explicit name that does not exist is an error; a glob or directory that holds nothing is
 * a warning, so that an empty {@code conf.d} is fine and a typo is not.
 */
final class Includes {
    static final String KEY = "include";
    /** Files deep, counting the loaded one's includes as the first level; deeper is surely a mistake. */
    static final int MAX_DEPTH = 8;
    private static final String WILDCARDS = "*?[{";

    private final Findings findings;
    private final IncludeReader reader;
    private final List<String> read = new ArrayList<>();
    private boolean allParsed = true;

    Includes(Findings findings, IncludeReader reader) {
        this.findings = findings;
        this.reader = reader;
    }

    /**
     * {@code root} with what it includes merged under it and {@code include:} taken out. {@code file}
     * is the loaded file's name as given; {@code -} (standard input) resolves against the current directory.
     */
    YamlNode resolve(YamlNode root, String file) {
        Path self = file.equals("-") ? null : Path.of(file);
        return resolve(root, self == null ? null : self.getParent(), self == null ? List.of() : List.of(self));
    }

    /** The included files read, by their names as findings print them, in the order they were merged. */
    List<String> read() {
        return List.copyOf(read);
    }

    /** False when an included file is not valid YAML: then the config binds as empty, as for the loaded file. */
    boolean allParsed() {
        return allParsed;
    }

    private YamlNode resolve(YamlNode node, Path dir, List<Path> chain) {
        if (!(node instanceof Mapping m) || m.entry(KEY) == null) {
            return node;
        }
        Entry include = m.entry(KEY);
        Mapping merged = null;
        for (Scalar item : items(include)) {
            for (Path p : expand(item, dir)) {
                Mapping tree = included(p, item, chain);
                if (tree != null) {
                    merged = merged == null ? tree : merge(merged, tree);
                }
            }
        }
        Mapping own = new Mapping(m.at(), m.entries().stream().filter(e -> e != include).toList());
        return merged == null ? own : merge(merged, own);
    }

    /**
     * {@code over} on top of {@code base}: a key in both whose values are both mappings merges key by
     * key (so {@code services}, {@code checks} and {@code vrrp} merge per name); any other value — a
     * scalar, a list, nothing — is replaced whole by {@code over}'s. {@code base}'s keys keep their
     * order, new keys follow.
     */
    static Mapping merge(Mapping base, Mapping over) {
        List<Entry> out = new ArrayList<>();
        for (Entry b : base.entries()) {
            Entry o = over.entry(b.key());
            if (o == null) {
                out.add(b);
            } else if (b.value() instanceof Mapping bm && o.value() instanceof Mapping om) {
                out.add(new Entry(o.key(), o.keyAt(), merge(bm, om)));
            } else {
                out.add(o);
            }
        }
        for (Entry o : over.entries()) {
            if (base.entry(o.key()) == null) {
                out.add(o);
            }
        }
        return new Mapping(over.at(), List.copyOf(out));
    }

    /** The names under {@code include:}: one, or a list of them. */
    private List<Scalar> items(Entry include) {
        List<YamlNode> nodes = include.value() instanceof Sequence s ? s.items() : List.of(include.value());
        List<Scalar> out = new ArrayList<>();
        for (YamlNode n : nodes) {
            if (n instanceof Scalar s && !s.isNull()) {
                out.add(s);
            } else if (!(n instanceof Scalar) || include.value() instanceof Sequence) {
                findings.add(Rule.SCHEMA_TYPE, n.at(), "include: expected a file, directory or glob (or a list of them), not "
                        + n.kind() + "; write include: conf.d or include: [base.yaml, \"conf.d/*.yaml\"]");
            }
        }
        return out;
    }

    /** What one item names, in name order; a finding when that is nothing. */
    private List<Path> expand(Scalar item, Path dir) {
        String name = item.text();
        Path target;
        try {
            target = (dir == null ? Path.of(name) : dir.resolve(name)).normalize();
        } catch (InvalidPathException e) {
            findings.add(Rule.INCLUDE_MISSING, item.at(), "include: '" + name + "' is not a path: " + e.getReason());
            return List.of();
        }
        Path last = target.getFileName();
        if (last != null && containsWildcard(last.toString())) {
            Path parent = target.getParent() == null ? Path.of("") : target.getParent();
            if (containsWildcard(parent.toString())) {
                findings.add(Rule.INCLUDE_MISSING, item.at(), "include: '" + name + "': wildcards work in the last name only "
                        + "(conf.d/*.yaml); name the directory " + parent + " without them");
                return List.of();
            }
            return matching(item, parent, "files matching " + last, "glob:" + last);
        }
        if (Files.isDirectory(target)) {
            return matching(item, target, ".yaml or .yml files", "glob:*.{yaml,yml}");
        }
        if (!Files.exists(target)) {
            findings.add(Rule.INCLUDE_MISSING, item.at(), "include: '" + name + "': no such file or directory (" + target
                    + "); fix the name, or take it out of include (a glob such as \"conf.d/*.yaml\" may match nothing)");
            return List.of();
        }
        return List.of(target);
    }

    /** The regular, not hidden files of {@code dir} that {@code pattern} matches, by name; a warning when none. */
    private List<Path> matching(Scalar item, Path dir, String what, String pattern) {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            var matcher = dir.getFileSystem().getPathMatcher(pattern);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    // Hidden files are an editor's or a package manager's (.web.yaml.swp, .#web.yaml), never config.
                    boolean hidden = p.getFileName().toString().startsWith(".");
                    if (!hidden && matcher.matches(p.getFileName()) && Files.isRegularFile(p)) {
                        out.add(p);
                    }
                }
            } catch (IOException e) {
                findings.add(Rule.CONFIG_UNREADABLE, item.at(), "include: '" + item.text() + "': cannot list " + dir + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                return List.of();
            }
        }
        if (out.isEmpty()) {
            findings.add(Rule.INCLUDE_NO_MATCH, item.at(), "include: '" + item.text() + "' matches nothing ("
                    + (Files.isDirectory(dir) ? dir + " holds no " + what : "there is no directory " + dir)
                    + "); fine for an empty conf.d, else check the name");
        }
        // Name order as ls sorts in the C locale, so that 10-base.yaml comes before 20-override.yaml everywhere.
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    /** The tree of one included file with its own includes merged, or null when it adds nothing. */
    private Mapping included(Path p, Scalar item, List<Path> chain) {
        String at = "include: '" + item.text() + "'";
        Path identity = identity(p);
        if (chain.stream().map(Includes::identity).anyMatch(identity::equals)) {
            findings.add(Rule.INCLUDE_CYCLE, item.at(), at + " is a cycle: " + names(chain) + " -> " + p
                    + "; take one of these includes out");
            return null;
        }
        if (chain.size() > MAX_DEPTH) {
            findings.add(Rule.INCLUDE_CYCLE, item.at(), at + " nests deeper than " + MAX_DEPTH + " files (" + names(chain)
                    + " -> " + p + "); include the files from fewer levels");
            return null;
        }
        String text;
        try {
            text = reader.text(p);
        } catch (IncludeReader.Refused e) {
            findings.add(e.rule(), item.at(), at + ": " + p + ": " + e.getMessage());
            return null;
        }
        read.add(p.toString());
        int before = findings.size();
        YamlNode tree = new YamlReader(findings, p.toString()).read(text);
        if (tree == null) {
            // Empty (nothing to merge), or not YAML: its syntax error is already a finding.
            allParsed &= findings.size() == before;
            return null;
        }
        if (!(tree instanceof Mapping)) {
            findings.add(Rule.SCHEMA_TYPE, tree.at(), "an included file holds top-level keys (a mapping), not " + tree.kind()
                    + "; it is included by " + names(chain));
            return null;
        }
        List<Path> next = new ArrayList<>(chain);
        next.add(p);
        return (Mapping) resolve(tree, p.getParent(), next);
    }

    private static boolean containsWildcard(String s) {
        return s.chars().anyMatch(c -> WILDCARDS.indexOf(c) >= 0);
    }

    private static String names(List<Path> chain) {
        return chain.isEmpty() ? "-" : chain.stream().map(Path::toString).collect(Collectors.joining(" -> "));
    }

    /** The same file however it was named: through a symlink, a "..", a relative name. */
    private static Path identity(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
