package io.haagent.config.load;

import io.haagent.config.AwsId;
import io.haagent.config.Cidr;
import io.haagent.config.Durations;
import io.haagent.config.HostPort;
import io.haagent.config.Ipv4;
import io.haagent.config.Secret;
import io.haagent.config.ZnodePath;
import io.haagent.config.load.Fields.Conv;
import io.haagent.config.load.YamlNode.Entry;
import io.haagent.config.load.YamlNode.Mapping;
import io.haagent.config.load.YamlNode.Scalar;
import io.haagent.config.load.YamlNode.Sequence;
import io.haagent.lint.finding.DidYouMean;
import io.haagent.lint.finding.Rule;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The value converters every section binder shares: scalars (names, hosts, ports, durations,
 * URLs, paths, words), lists, mappings and secrets. Each returns null after one finding at the
 * value when the node is bad, so that a binder reads on and reports the next problem too.
 */
final class Values {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s<>]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}|[^@\\s<>]+@localhost");
    private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9:_.@\\\\-]+");
    private static final String NAME_RULES =
            "use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63";

    final Binding binding;
    private final Findings findings;
    private final SourceMap source;

    Values(Binding binding) {
        this.binding = binding;
        this.findings = binding.findings;
        this.source = binding.source;
    }

    // ---------------------------------------------------------------- mappings and lists

    /** Opens an object's mapping; null after a finding when the node is not a mapping. */
    Fields object(YamlNode n, String path) {
        Mapping m = asMappingOrEmpty(n, path);
        return m == null ? null : new Fields(this, m, path, source.keyAt(path));
    }

    /** An object whose keys {@code body} reads; the body closes it with {@link Fields#done} or {@link Fields#finish}. */
    <T> Conv<T> object(Function<Fields, T> body) {
        return (n, path) -> {
            Fields f = object(n, path);
            return f == null ? null : body.apply(f);
        };
    }

    /** A mapping whose only job is to hold one sub-section ({@code notify:}, {@code scaler:}, {@code coordination:}). */
    <T> Conv<T> section(Function<Fields, T> body) {
        return (n, path) -> {
            Mapping m = asMappingOrEmpty(n, path);
            if (m == null) {
                return null;
            }
            Fields f = new Fields(this, m, path, source.keyAt(path));
            T v = body.apply(f);
            f.finish();
            return v;
        };
    }

    /** A mapping of name → object; every name is validated and declared, bad objects are left out. */
    <T> Conv<Map<String, T>> named(Set<String> declaredNames, Conv<T> conv) {
        return (n, path) -> {
            Mapping m = asMappingOrEmpty(n, path);
            if (m == null) {
                return null;
            }
            Map<String, T> out = new LinkedHashMap<>();
            for (Entry e : m.entries()) {
                String p = path + "." + e.key();
                source.put(p, e.keyAt(), e.value().at());
                declaredNames.add(e.key());
                if (!NAME.matcher(e.key()).matches()) {
                    findings.add(Rule.VALUE_NAME, e.keyAt(),
                            path + ": '" + e.key() + "' is not a usable name; " + NAME_RULES);
                    continue;
                }
                T v = conv.apply(e.value(), p);
                if (v != null) {
                    out.put(e.key(), v);
                }
            }
            return Collections.unmodifiableMap(out);
        };
    }

    Map<String, String> stringMap(YamlNode n, String path) {
        Mapping m = asMappingOrEmpty(n, path);
        if (m == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Entry e : m.entries()) {
            String p = path + "." + e.key();
            source.put(p, e.keyAt(), e.value().at());
            String v = scalarText(e.value(), p);
            if (v != null) {
                out.put(e.key(), v);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** A YAML list of items; {@code nonEmpty} makes an empty list a finding. Null if any item is bad. */
    <T> Conv<List<T>> list(Conv<T> item, boolean nonEmpty) {
        return (n, path) -> {
            if (n instanceof Scalar s && s.isNull()) {
                return nonEmpty ? bad(Rule.VALUE_EMPTY, n, path, "is empty; list at least one") : List.of();
            }
            if (!(n instanceof Sequence seq)) {
                return bad(Rule.SCHEMA_TYPE, n, path, "expected a list, like [a, b], found " + describe(n));
            }
            if (seq.items().isEmpty() && nonEmpty) {
                return bad(Rule.VALUE_EMPTY, n, path, "is empty; list at least one");
            }
            List<T> out = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < seq.items().size(); i++) {
                YamlNode it = seq.items().get(i);
                String p = path + "[" + i + "]";
                source.put(p, it.at(), it.at());
                T v = item.apply(it, p);
                if (v == null) {
                    ok = false;
                } else {
                    out.add(v);
                }
            }
            return ok ? List.copyOf(out) : null;
        };
    }

    /** The node as a mapping; null after a finding that names {@code what} (or the path) when it is not one. */
    Mapping asMapping(YamlNode n, String path, String what) {
        if (n instanceof Mapping m) {
            return m;
        }
        findings.add(Rule.SCHEMA_TYPE, n.at(), (path.isEmpty() ? what : path) + ": expected a mapping (key: value lines), found "
                + describe(n));
        return null;
    }

    /** An absent-valued key ({@code checks:} with nothing under it) reads as an empty mapping. */
    Mapping asMappingOrEmpty(YamlNode n, String path) {
        if (n instanceof Scalar s && s.isNull()) {
            return new Mapping(s.at(), List.of());
        }
        return asMapping(n, path, path);
    }

    // ---------------------------------------------------------------- scalars

    /** The text of a scalar; a finding for mappings, lists and empty values. */
    String scalarText(YamlNode n, String path) {
        if (n instanceof Scalar s) {
            if (s.isNull()) {
                return bad(Rule.VALUE_EMPTY, n, path, "has no value; write one, or remove the key to use the default");
            }
            return s.text();
        }
        return bad(Rule.SCHEMA_TYPE, n, path, "expected a single value, found " + describe(n));
    }

    String string(YamlNode n, String path) {
        return scalarText(n, path);
    }

    String nonEmpty(YamlNode n, String path) {
        String s = scalarText(n, path);
        if (s != null && s.isBlank()) {
            return bad(Rule.VALUE_EMPTY, n, path, "is empty; write a value, or remove the key");
        }
        return s;
    }

    String name(YamlNode n, String path) {
        return matching(n, path, NAME.asMatchPredicate(), Rule.VALUE_NAME, "is not a usable name; " + NAME_RULES);
    }

    String iface(YamlNode n, String path) {
        return matching(n, path, IFACE.asMatchPredicate(), Rule.VALUE_NAME,
                "is not an interface name; Linux names are at most 15 characters without spaces or '/', like eth0");
    }

    String unit(YamlNode n, String path) {
        return matching(n, path, UNIT.asMatchPredicate(), Rule.VALUE_NAME, "is not a systemd unit name, like app.service");
    }

    String host(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s == null) {
            return null;
        }
        try {
            if (!HostPort.isHost(s)) {
                throw new IllegalArgumentException("'" + abbreviate(s) + "' is not a host name or IPv4 address");
            }
            if (s.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
                Ipv4.parse(s);
            }
            return s;
        } catch (IllegalArgumentException e) {
            return bad(Rule.VALUE_ADDRESS, n, path, e.getMessage());
        }
    }

    String email(YamlNode n, String path) {
        return matching(n, path, EMAIL.asMatchPredicate(), Rule.VALUE_EMAIL, "is not a mail address, like ops@example.com");
    }

    /** A ZooKeeper node path ({@link ZnodePath}); when wrong, what is wrong and a path like {@code example}. */
    Conv<String> znodePath(String example) {
        return (n, path) -> {
            String s = nonEmpty(n, path);
            if (s == null) {
                return null;
            }
            return ZnodePath.problem(s).<String>map(wrong -> bad(Rule.VALUE_PATH, n, path, "'" + abbreviate(s)
                    + "' is not a ZooKeeper path: " + wrong + "; write an absolute path like " + example)).orElse(s);
        };
    }

    /** A non-empty value that {@code ok} accepts; otherwise a finding: the value, then {@code isNot}. */
    private String matching(YamlNode n, String path, Predicate<String> ok, Rule rule, String isNot) {
        String s = nonEmpty(n, path);
        if (s != null && !ok.test(s)) {
            return bad(rule, n, path, "'" + abbreviate(s) + "' " + isNot);
        }
        return s;
    }

    String regex(YamlNode n, String path) {
        String s = nonEmpty(n, path);
        if (s == null) {
            return null;
        }
        try {
            Pattern.compile(s);
            return s;
        } catch (PatternSyntaxException e) {
            return bad(Rule.VALUE_REGEX, n, path, "'" + abbreviate(s) + "' does not compile: " + e.getDescription()
                    + " near index " + e.getIndex());
        }
    }

    Boolean bool(YamlNode n, String path) {
        String s = scalarText(n, path);
        if (s == null) {
            return null;
        }
        if (n instanceof Scalar sc && !sc.string() && (s.equals("true") || s.equals("false"))) {
            return Boolean.valueOf(s);
        }
        return bad(Rule.SCHEMA_TYPE, n, path, "'" + abbreviate(s) + "' is not a boolean; write true or false");
    }

    Conv<Integer> integer(int min, int max) {
        return integer(min, max, "");
    }

    Conv<Integer> integer(int min, int max, String why) {
        return (n, path) -> {
            String s = scalarText(n, path);
            if (s == null) {
                return null;
            }
            long v;
            try {
                v = Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                return bad(Rule.SCHEMA_TYPE, n, path, "'" + abbreviate(s) + "' is not a whole number; use " + min + "-" + max);
            }
            if (v < min || v > max) {
                return bad(Rule.VALUE_RANGE, n, path, v + " is out of range; use " + min + "-" + max + why);
            }
            return (int) v;
        };
    }

    Conv<Integer> port() {
        return integer(1, 65535);
    }

    Conv<Duration> duration() {
        return (n, path) -> {
            String s = scalarText(n, path);
            if (s == null) {
                return null;
            }
            try {
                return Durations.parse(s);
            } catch (IllegalArgumentException e) {
                return bad(Rule.VALUE_DURATION, n, path, e.getMessage());
            }
        };
    }

    Conv<Duration> positiveDuration() {
        return (n, path) -> {
            Duration d = duration().apply(n, path);
            if (d != null && d.isZero()) {
                return bad(Rule.VALUE_RANGE, n, path, "must be above zero");
            }
            return d;
        };
    }

    Conv<String> word(List<String> allowed) {
        return (n, path) -> {
            String s = scalarText(n, path);
            if (s == null) {
                return null;
            }
            if (!allowed.contains(s)) {
                return bad(Rule.VALUE_ENUM, n, path, "'" + abbreviate(s) + "' is not allowed" + DidYouMean.hint(s, allowed));
            }
            return s;
        };
    }

    /** A lower-case word naming one constant of {@code type} ({@code stop_start} for STOP_START), in declaration order. */
    <E extends Enum<E>> Conv<E> keyword(Class<E> type) {
        List<String> words = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        Conv<String> word = word(words);
        return (n, path) -> {
            String w = word.apply(n, path);
            return w == null ? null : Enum.valueOf(type, w.toUpperCase(Locale.ROOT));
        };
    }

    /** A value one of the config's value types parses; their exceptions say what was wrong and what is expected. */
    private <T> Conv<T> parsed(Function<String, T> parse, Rule rule) {
        return (n, path) -> {
            String s = nonEmpty(n, path);
            if (s == null) {
                return null;
            }
            try {
                return parse.apply(s);
            } catch (IllegalArgumentException e) {
                return bad(rule, n, path, e.getMessage());
            }
        };
    }

    Ipv4 ipv4(YamlNode n, String path) {
        return parsed(Ipv4::parse, Rule.VALUE_ADDRESS).apply(n, path);
    }

    Cidr cidr(YamlNode n, String path) {
        return parsed(Cidr::parse, Rule.VALUE_ADDRESS).apply(n, path);
    }

    HostPort hostPort(YamlNode n, String path) {
        return parsed(HostPort::parse, Rule.VALUE_ADDRESS).apply(n, path);
    }

    Conv<AwsId> awsId(Function<String, AwsId> parse) {
        return parsed(parse, Rule.VALUE_AWS_ID);
    }

    Conv<URI> url() {
        return (n, path) -> {
            String s = nonEmpty(n, path);
            if (s == null) {
                return null;
            }
            try {
                URI u = new URI(s.strip());
                if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                        || u.getHost() == null) {
                    throw new URISyntaxException(s, "needs http:// or https:// and a host");
                }
                return u;
            } catch (URISyntaxException e) {
                return bad(Rule.VALUE_URL, n, path, "'" + abbreviate(s) + "' is not an http(s) URL; write it like "
                        + "\"http://127.0.0.1:8080/healthz\"");
            }
        };
    }

    // ---------------------------------------------------------------- paths, commands and secrets

    Conv<Path> absolutePath() {
        return (n, path) -> {
            String s = nonEmpty(n, path);
            if (s == null) {
                return null;
            }
            try {
                Path p = Path.of(s);
                if (!s.startsWith("/")) {
                    return bad(Rule.VALUE_PATH, n, path, "'" + abbreviate(s) + "' is relative; write an absolute path "
                            + "(the daemon's working directory is not the config's)");
                }
                return p;
            } catch (InvalidPathException e) {
                return bad(Rule.VALUE_PATH, n, path, "'" + abbreviate(s) + "' is not a usable path: " + e.getReason());
            }
        };
    }

    /** An absolute path to a secret; remembered for the file-mode and --host checks. */
    Conv<Path> secretFile() {
        return fileRef(FileRef.Kind.SECRET);
    }

    /** An absolute path to a directory that must exist on the host; remembered for --host. */
    Conv<Path> dir() {
        return fileRef(FileRef.Kind.DIRECTORY);
    }

    /** The absolute path of a program run without a shell (a notify hook); remembered for --host. */
    Conv<String> program() {
        Conv<Path> ref = fileRef(FileRef.Kind.PROGRAM);
        return (n, path) -> ref.apply(n, path) == null ? null : scalarText(n, path);
    }

    private Conv<Path> fileRef(FileRef.Kind kind) {
        return (n, path) -> {
            Path p = absolutePath().apply(n, path);
            if (p != null) {
                binding.files.add(new FileRef(path, p, kind, n.at()));
            }
            return p;
        };
    }

    Conv<List<String>> command() {
        return this::commandList;
    }

    private List<String> commandList(YamlNode n, String path) {
        if (n instanceof Scalar s && !s.isNull()) {
            return bad(Rule.SCHEMA_TYPE, n, path, "expected the command as a list of words, like [\"" + abbreviate(s.text())
                    .replace(" ", "\", \"") + "\"]; a list needs no shell quoting");
        }
        List<String> words = list(this::string, false).apply(n, path);
        if (words == null) {
            return null;
        }
        if (words.isEmpty() || words.get(0).isBlank()) {
            return bad(Rule.VALUE_EMPTY, n, path, "the command is empty; give the program and its arguments as a list");
        }
        return words;
    }

    /**
     * Reads {@code key} (inline, warned) or {@code key_file}. Inline is accepted so that a config
     * in transition still works, but the lint says where the secret should go.
     */
    Optional<Secret> secret(Fields f, String key) {
        String fileKey = key + "_file";
        String which = f.oneOf(key, fileKey);
        if (which == null) {
            return Optional.empty();
        }
        if (which.equals(key)) {
            String v = f.opt(key, this::nonEmpty, null);
            if (v == null) {
                return Optional.empty();
            }
            findings.add(Rule.SECRET_INLINE, source.at(f.path(key)), f.path(key) + ": a secret written into the config; "
                    + "put it in a file only haagent can read (chmod 600) and use " + fileKey + " instead");
            return Optional.of(new Secret.Inline(v));
        }
        return f.opt(fileKey, secretFile()).map(Secret.FromFile::new);
    }

    /**
     * A secret the object cannot do without: when neither {@code key} nor {@code key_file} gives one,
     * the object fails and the finding asks for the file, the form the lint recommends.
     */
    Secret requiredSecret(Fields f, String key, String whatToAdd) {
        Optional<Secret> secret = secret(f, key);
        if (secret.isEmpty() && !f.failed()) {
            f.fail();
            findings.add(Rule.SCHEMA_MISSING_KEY, f.owner(), f.path() + ": missing '" + key + "_file'; add " + whatToAdd);
        }
        return secret.orElse(null);
    }

    // ---------------------------------------------------------------- findings

    /** Records a finding at the value and returns null, which is how every converter says "bad". */
    <T> T bad(Rule rule, YamlNode n, String path, String message) {
        findings.add(rule, n.at(), path + ": " + message);
        return null;
    }

    private static String describe(YamlNode n) {
        return switch (n) {
            case Scalar s when s.isNull() -> "nothing";
            case Scalar s -> "'" + abbreviate(s.text()) + "'";
            case Sequence q -> "a list";
            case Mapping m -> "a mapping";
        };
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
