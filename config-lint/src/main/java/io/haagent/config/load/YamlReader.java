package io.haagent.config.load;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.haagent.config.load.YamlNode.Entry;
import io.haagent.config.load.YamlNode.Mapping;
import io.haagent.config.load.YamlNode.Scalar;
import io.haagent.config.load.YamlNode.Sequence;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.io.IOException;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML text into a {@link YamlNode} tree with positions. Syntax errors and duplicate keys
 * become findings; nothing here throws for bad input.
 */
final class YamlReader {
    // Jackson's factory is thread-safe and costly to build; parsers are cheap.
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
    private static final int MAX_DEPTH = 64;

    private final Findings findings;
    /** The included file being read, which every position names; null for the file that was loaded. */
    private final String file;

    YamlReader(Findings findings) {
        this(findings, null);
    }

    YamlReader(Findings findings, String file) {
        this.findings = findings;
        this.file = file;
    }

    /** The document's root, or {@code null} when the text is empty or not valid YAML. */
    YamlNode read(String text) {
        try (YAMLParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            YamlNode root = node(p, first, 0);
            if (p.nextToken() != null) {
                findings.add(Rule.YAML_SYNTAX, at(p.currentTokenLocation()),
                        "a second YAML document starts here; a haagent config is one document, remove the '---'");
            }
            return root;
        } catch (JsonProcessingException e) {
            findings.add(Rule.YAML_SYNTAX, syntaxErrorAt(e).in(file), syntaxMessage(e));
            return null;
        } catch (IOException | RuntimeException e) {
            // SnakeYAML under Jackson throws its own unchecked exceptions for some malformed input.
            findings.add(Rule.YAML_SYNTAX, Location.START.in(file), "cannot parse the YAML: " + firstLine(e.getMessage()));
            return null;
        }
    }

    private YamlNode node(JsonParser p, JsonToken token, int depth) throws IOException {
        Location at = at(p.currentTokenLocation());
        if (depth > MAX_DEPTH) {
            throw new JsonProcessingException("nesting deeper than " + MAX_DEPTH + " levels", p.currentTokenLocation()) {};
        }
        switch (token) {
            case START_OBJECT -> {
                List<Entry> entries = new ArrayList<>();
                Map<String, Location> seen = new HashMap<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String key = p.currentName();
                    Location keyAt = at(p.currentTokenLocation());
                    YamlNode value = node(p, p.nextToken(), depth + 1);
                    Location first = seen.putIfAbsent(key, keyAt);
                    if (first != null) {
                        findings.add(Rule.YAML_DUPLICATE_KEY, keyAt, "'" + key + "' is already set at line "
                                + first.line() + "; keep one of them (YAML keeps only the last silently)");
                    } else {
                        entries.add(new Entry(key, keyAt, value));
                    }
                }
                return new Mapping(at, List.copyOf(entries));
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    items.add(node(p, t, depth + 1));
                }
                return new Sequence(at, List.copyOf(items));
            }
            case VALUE_NULL -> {
                return new Scalar(at, "", true, false);
            }
            default -> {
                if (p instanceof YAMLParser y && y.isCurrentAlias()) {
                    findings.add(Rule.YAML_SYNTAX, at, "YAML aliases (*" + p.getText()
                            + ") are not supported here; write the value out");
                }
                return new Scalar(at, p.getText(), false, token == JsonToken.VALUE_STRING);
            }
        }
    }

    /**
     * The line to change. Jackson's location is where the parser stood, often the end of the line
     * before the culprit; SnakeYAML's marks are better (issue 12: an error at line 28 was reported at
     * 29). An unclosed bracket or quote is noticed only lines later, so it is reported where it opens
     * (the context mark); anything else where SnakeYAML found the problem.
     */
    private static Location syntaxErrorAt(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException m) {
            boolean unclosed = m.getContext() != null && (m.getContext().contains("flow") || m.getContext().contains("quoted"));
            org.yaml.snakeyaml.error.Mark mark = unclosed && m.getContextMark() != null ? m.getContextMark() : m.getProblemMark();
            if (mark != null) {
                return new Location(mark.getLine() + 1, mark.getColumn() + 1);
            }
        }
        JsonLocation loc = e.getLocation();
        return loc == null ? Location.START : position(loc);
    }

    private Location at(JsonLocation loc) {
        return position(loc).in(file);
    }

    private static Location position(JsonLocation loc) {
        return new Location(Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()));
    }

    private static String syntaxMessage(JsonProcessingException e) {
        // SnakeYAML (under Jackson) says what it expected as the "problem" and what it was reading as the "context".
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblem() != null) {
            String context = m.getContext() == null ? "" : " (" + m.getContext()
                    + (m.getContextMark() == null ? "" : " started at line " + (m.getContextMark().getLine() + 1)) + ")";
            return "invalid YAML: " + m.getProblem() + context + "; check the indentation and brackets";
        }
        return "invalid YAML: " + firstLine(e.getOriginalMessage()).strip();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
