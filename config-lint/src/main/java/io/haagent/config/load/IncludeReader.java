package io.haagent.config.load;

import io.haagent.lint.finding.Rule;
import java.nio.file.Path;

/**
 * How the loader reads a file that a config includes. In production this is lint's
 * {@code ConfigFile}, so that an included file is bounded and decoded exactly as the file that
 * names it (issue 10 §3.6: a 50 MB file must not reach the parser through an include either).
 */
@FunctionalInterface
public interface IncludeReader {
    /** The file's text; {@link Refused} says why not, as a finding at the {@code include:} item would. */
    String text(Path file) throws Refused;

    /** The file cannot be used: which rule that breaks and why, in words that follow the file's name. */
    final class Refused extends Exception {
        private final transient Rule rule;

        public Refused(Rule rule, String reason) {
            super(reason);
            this.rule = rule;
        }

        public Rule rule() {
            return rule;
        }
    }
}
