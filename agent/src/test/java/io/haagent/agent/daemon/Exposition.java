package io.haagent.agent.daemon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a Prometheus text exposition (format 0.0.4) the way the scrape tests assert on it: samples, not lines. */
final class Exposition {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Exposition() {}

    /** One sample line: its name, labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    static List<Sample> samples(String exposition) {
        List<Sample> out = new ArrayList<>();
        for (String line : exposition.lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return out;
    }

    /** The value of the one series of {@code name} whose labels include {@code labels}; fails when none. */
    static double value(String exposition, String name, Map<String, String> labels) {
        return samples(exposition).stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .findFirst().map(Sample::value)
                .orElseThrow(() -> new AssertionError("no series " + name + labels + " in:\n" + exposition));
    }

    static boolean has(String exposition, String name, Map<String, String> labels, double value) {
        return samples(exposition).stream().anyMatch(s -> s.name().equals(name)
                && s.labels().entrySet().containsAll(labels.entrySet()) && s.value() == value);
    }
}
