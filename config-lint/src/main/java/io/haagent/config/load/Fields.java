package io.haagent.config.load;

import io.haagent.config.load.YamlNode.Entry;
import io.haagent.config.load.YamlNode.Mapping;
import io.haagent.lint.finding.DidYouMean;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads one YAML mapping as one config object, keepalived-keyword-table style: every key the
 * binder asks for becomes known, and {@link #finish()} reports the keys nobody asked for.
 */
final class Fields {
    /** Converts one node; returns null after recording a finding when the node is bad. */
    @FunctionalInterface
    interface Conv<T> {
        T apply(YamlNode node, String path);
    }

    private final Values values;
    private final Findings findings;
    private final Mapping mapping;
    private final String path;
    private final Location owner;
    private final Set<String> known = new LinkedHashSet<>();
    private boolean failed;

    Fields(Values values, Mapping mapping, String path, Location owner) {
        this.values = values;
        this.findings = values.binding.findings;
        this.mapping = mapping;
        this.path = path;
        this.owner = owner;
    }

    /** This object's own path, like {@code vrrp.redis-vip.auth}. */
    String path() {
        return path;
    }

    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Where the mapping's own key stands: missing-key findings point there. */
    Location owner() {
        return owner;
    }

    boolean has(String key) {
        known.add(key);
        return mapping.entry(key) != null;
    }

    Location keyAt(String key) {
        Entry e = mapping.entry(key);
        return e == null ? owner : e.keyAt();
    }

    /** The node under {@code key}, or null when absent; records where it stands. */
    YamlNode raw(String key) {
        known.add(key);
        Entry e = mapping.entry(key);
        if (e == null) {
            return null;
        }
        values.binding.source.put(path(key), e.keyAt(), e.value().at());
        return e.value();
    }

    /** A required key; missing or bad marks this object failed and returns null. */
    <T> T req(String key, Conv<T> conv, String whatToAdd) {
        YamlNode n = raw(key);
        if (n == null) {
            failed = true;
            findings.add(Rule.SCHEMA_MISSING_KEY, owner, where() + "missing '" + key + "'; add " + whatToAdd);
            return null;
        }
        T v = conv.apply(n, path(key));
        if (v == null) {
            failed = true;
        }
        return v;
    }

    /** An optional key; a bad value is reported and the default stands in, so later rules still see the object. */
    <T> T opt(String key, Conv<T> conv, T dflt) {
        YamlNode n = raw(key);
        if (n == null) {
            return dflt;
        }
        T v = conv.apply(n, path(key));
        return v == null ? dflt : v;
    }

    <T> Optional<T> opt(String key, Conv<T> conv) {
        return Optional.ofNullable(opt(key, conv, null));
    }

    /** At most one of {@code keys} may be set; returns the one that is, or null. */
    String oneOf(String... keys) {
        String chosen = null;
        for (String k : keys) {
            known.add(k);
            if (mapping.entry(k) != null) {
                if (chosen != null) {
                    findings.add(Rule.SCHEMA_CONFLICT, keyAt(k), where() + "'" + chosen + "' and '" + k
                            + "' are both set; keep one (" + String.join(", ", keys) + " exclude each other)");
                } else {
                    chosen = k;
                }
            }
        }
        return chosen;
    }

    /**
     * The variant whose sub-key is set ({@code process:}, {@code systemd:} or {@code restart_command:}),
     * bound by its row; empty when none is set. Setting more than one is a conflict.
     */
    <T> Optional<T> oneOf(Variants<Conv<T>> table) {
        String key = oneOf(table.keywords().toArray(String[]::new));
        return key == null ? Optional.empty() : Optional.ofNullable(req(key, table.binder(key), ""));
    }

    /** Like {@link #oneOf(Variants)}, for an object that is nothing but its variant: {@code missing} says what to add. */
    <T> T oneOf(Variants<Conv<T>> table, String missing) {
        String key = oneOf(table.keywords().toArray(String[]::new));
        if (key == null) {
            failed = true;
            findings.add(Rule.SCHEMA_MISSING_KEY, owner, where() + missing);
            return null;
        }
        return req(key, table.binder(key), "");
    }

    /**
     * What binds the variant that the word under {@code key} names, like a check's {@code type};
     * null after a finding when the word is missing or not in the table, and then nobody can tell
     * which of the other keys belong here.
     */
    <B> B select(String key, Variants<B> table, String what) {
        String word = req(key, values.word(table.keywords()), what + ": one of " + String.join(", ", table.keywords()));
        return word == null ? null : table.binder(word);
    }

    /** This object bound as the variant that the word under {@code key} names; see {@link #select}. */
    <T> T variant(String key, Variants<Function<Fields, T>> table, String what) {
        Function<Fields, T> binder = select(key, table, what);
        return binder == null ? null : binder.apply(this);
    }

    void fail() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    /** Reports every key that no one asked for, with a did-you-mean; the object itself still stands. */
    void finish() {
        for (Entry e : mapping.entries()) {
            if (!known.contains(e.key())) {
                findings.add(Rule.SCHEMA_UNKNOWN_KEY, e.keyAt(),
                        where() + "unknown key '" + e.key() + "'" + DidYouMean.hint(e.key(), known));
            }
        }
    }

    /** Closes the object: reports unknown keys; returns the built value unless a required part failed. */
    <T> T done(Supplier<T> build) {
        finish();
        return failed ? null : build.get();
    }

    private String where() {
        return path.isEmpty() ? "" : path + ": ";
    }
}
