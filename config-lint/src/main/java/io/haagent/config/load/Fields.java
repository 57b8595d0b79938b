package io.haagent.config.load;

import io.haagent.config.load.YamlNode.Entry;
import io.haagent.config.load.YamlNode.Mapping;
import io.haagent.lint.finding.DidYouMean;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

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

    private final ConfigBinder binder;
    private final Mapping mapping;
    private final String path;
    private final Location owner;
    private final Set<String> known = new LinkedHashSet<>();
    private boolean failed;

    Fields(ConfigBinder binder, Mapping mapping, String path, Location owner) {
        this.binder = binder;
        this.mapping = mapping;
        this.path = path;
        this.owner = owner;
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
        binder.source.put(path(key), e.keyAt(), e.value().at());
        return e.value();
    }

    /** A required key; missing or bad marks this object failed and returns null. */
    <T> T req(String key, Conv<T> conv, String whatToAdd) {
        YamlNode n = raw(key);
        if (n == null) {
            failed = true;
            binder.findings.add(Rule.SCHEMA_MISSING_KEY, owner, where() + "missing '" + key + "'; add " + whatToAdd);
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
                    binder.findings.add(Rule.SCHEMA_CONFLICT, keyAt(k), where() + "'" + chosen + "' and '" + k
                            + "' are both set; keep one (" + String.join(", ", keys) + " exclude each other)");
                } else {
                    chosen = k;
                }
            }
        }
        return chosen;
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
                binder.findings.add(Rule.SCHEMA_UNKNOWN_KEY, e.keyAt(),
                        where() + "unknown key '" + e.key() + "'" + DidYouMean.hint(e.key(), known));
            }
        }
    }

    private String where() {
        return path.isEmpty() ? "" : path + ": ";
    }
}
