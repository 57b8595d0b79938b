package io.haagent.agent.mail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain-text mail body: {@code key: value} lines first (aligned), then free paragraphs, then a
 * {@code steps:} section with each step's name, outcome and duration. Steps can be added as the
 * actions that fill them (Redis promotion, address move) report back.
 *
 * <pre>
 * host:      web01
 * event id:  3kq9x2ab
 * reason:    master silent for 3.6s
 *
 * steps:
 *   redis promote   ok                  12 ms
 *   eni attach      failed: timed out   30000 ms
 * </pre>
 */
public final class MailBody {
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final List<String> paragraphs = new ArrayList<>();
    private final List<ActionLine> steps = new ArrayList<>();
    private boolean stepsSection;

    public static MailBody builder() {
        return new MailBody();
    }

    /** A {@code key: value} line; a later value for the same key replaces the earlier one. */
    public MailBody field(String key, Object value) {
        fields.put(key, String.valueOf(value));
        return this;
    }

    /** A paragraph after the fields, as given. */
    public MailBody paragraph(String text) {
        paragraphs.add(text.strip());
        return this;
    }

    /** Adds steps and shows the {@code steps:} section (with "none" when it stays empty). */
    public MailBody steps(List<ActionLine> more) {
        stepsSection = true;
        steps.addAll(more);
        return this;
    }

    public MailBody step(ActionLine step) {
        return steps(List.of(step));
    }

    public String build() {
        StringBuilder b = new StringBuilder();
        int keyWidth = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        String indent = " ".repeat(keyWidth);
        fields.forEach((k, v) -> b.append(pad(k + ":", keyWidth))
                .append(v.strip().replaceAll("\\r?\\n", "\n" + indent)).append('\n'));
        for (String p : paragraphs) {
            b.append('\n').append(p).append('\n');
        }
        if (stepsSection) {
            b.append('\n');
            if (steps.isEmpty()) {
                b.append("steps: none\n");
            } else {
                b.append("steps:\n");
                int nameWidth = steps.stream().mapToInt(s -> s.name().length()).max().orElse(0) + 2;
                int outcomeWidth = steps.stream().mapToInt(s -> s.outcome().length()).max().orElse(0) + 2;
                for (ActionLine s : steps) {
                    b.append("  ").append(pad(s.name(), nameWidth)).append(pad(s.outcome(), outcomeWidth))
                            .append(s.duration().toMillis()).append(" ms\n");
                }
            }
        }
        return b.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}
