package io.haagent.config.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A keyword table, keepalived style: the words that select one variant of a config object (a
 * check's {@code type}, an address mover's sub-key), each with what binds that variant. Rows keep
 * their order, which is the order every "one of: a, b, c" message lists them in. A new variant is
 * a new row, not a new branch.
 *
 * @param <B> what binds one variant: a {@link Fields.Conv} for a sub-key, a function of the
 *            object's {@link Fields} for a type word
 */
final class Variants<B> {
    record Row<B>(String keyword, B binder) {}

    private final Map<String, B> rows = new LinkedHashMap<>();

    @SafeVarargs
    static <B> Variants<B> of(Row<B>... rows) {
        Variants<B> v = new Variants<>();
        for (Row<B> r : rows) {
            if (v.rows.put(r.keyword(), r.binder()) != null) {
                throw new IllegalArgumentException("keyword listed twice: " + r.keyword());
            }
        }
        return v;
    }

    static <B> Row<B> row(String keyword, B binder) {
        return new Row<>(keyword, binder);
    }

    private Variants() {}

    List<String> keywords() {
        return List.copyOf(rows.keySet());
    }

    B binder(String keyword) {
        return rows.get(keyword);
    }
}
