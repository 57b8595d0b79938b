package io.haagent.config.load;

import io.haagent.lint.finding.Location;
import java.util.List;

/** The YAML document as a tree that remembers where each key and value stands. */
sealed interface YamlNode {
    Location at();

    /** What the operator would call this kind of node in an error message. */
    String kind();

    /** A scalar as written; {@code string} is false for YAML numbers and booleans. */
    record Scalar(Location at, String text, boolean isNull, boolean string) implements YamlNode {
        @Override
        public String kind() {
            return isNull ? "nothing" : "a value";
        }
    }

    record Entry(String key, Location keyAt, YamlNode value) {}

    record Mapping(Location at, List<Entry> entries) implements YamlNode {
        @Override
        public String kind() {
            return "a mapping";
        }

        Entry entry(String key) {
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    return e;
                }
            }
            return null;
        }
    }

    record Sequence(Location at, List<YamlNode> items) implements YamlNode {
        @Override
        public String kind() {
            return "a list";
        }
    }
}
