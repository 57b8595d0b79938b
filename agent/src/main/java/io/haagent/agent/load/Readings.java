package io.haagent.agent.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * What the readers of one sample found: the series in the order they were read, the host's capacity facts and the
 * problems. A reader's series are staged and kept only when the whole reader succeeds ({@link #commit}), so a file
 * that fails half-way leaves its group out instead of half of it; the failure becomes one sentence in
 * {@link #problems()}.
 *
 * <p>Values are {@code Long} for counts (bytes, clients) and {@code Double} for seconds and averages; one sampling
 * thread fills one instance.
 */
public final class Readings {
    private final SequencedMap<String, Number> series = new LinkedHashMap<>();
    private final SequencedMap<String, Object> host = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> stagedNames = new ArrayList<>();
    private final List<Number> stagedValues = new ArrayList<>();

    Readings() {}

    /** Reads {@code reader} into this sample: all of its series, or none of them and one problem saying why. */
    void take(LoadReader reader) {
        try {
            reader.read(this);
            commit();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            discard();
            problem(reader.what() + " left out: " + Problems.reason(e));
        }
    }

    /** Stages one series without labels, e.g. {@code node_load1}. */
    void put(String name, Number value) {
        stagedNames.add(name);
        stagedValues.add(value);
    }

    /** Stages one series with labels given as name, value pairs, e.g. {@code cpu, "0", mode, "user"}. */
    void put(String metric, Number value, String... labels) {
        StringBuilder b = new StringBuilder(metric.length() + 32).append(metric).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(labels[i]).append("=\"");
            escapeLabel(b, labels[i + 1]);
            b.append('"');
        }
        put(b.append('}').toString(), value);
    }

    /** A capacity fact for the {@code host} section (vCPUs, memory total); kept like a series, on commit. */
    void host(String key, Object value) {
        host.put(key, value);
    }

    /** Keeps what was staged since the last commit or discard. */
    void commit() {
        for (int i = 0; i < stagedNames.size(); i++) {
            series.put(stagedNames.get(i), stagedValues.get(i));
        }
        discard();
    }

    /** Drops what was staged: the reader failed, its group stays out of the sample. */
    void discard() {
        stagedNames.clear();
        stagedValues.clear();
    }

    /** One sentence an operator reads: which file or source, what went wrong, what is left out. */
    void problem(String sentence) {
        problems.add(sentence);
    }

    SequencedMap<String, Number> series() {
        return series;
    }

    SequencedMap<String, Object> host() {
        return host;
    }

    List<String> problems() {
        return problems;
    }

    // Prometheus text format: a label value escapes backslash, double quote and line feed
    private static void escapeLabel(StringBuilder b, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
    }
}
