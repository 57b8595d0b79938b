package io.haagent.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.lint.finding.Finding;
import io.haagent.lint.finding.Location;
import io.haagent.lint.finding.Rule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a YAML syntax error is reported: on the line an operator has to change. */
class YamlReaderTest {
    private static Location syntaxErrorAt(String text) {
        List<Finding> findings = ConfigLoader.load("t.yaml", text).findings();
        assertEquals(1, findings.size(), findings::toString);
        assertEquals(Rule.YAML_SYNTAX, findings.getFirst().rule());
        return findings.getFirst().at();
    }

    @Test
    void anUnclosedBracket_isReportedWhereItOpens_notOnTheNextLine() {
        // Issue 12: a YAML error at line 28 was reported at line 29, where the parser noticed it.
        assertEquals(new Location(2, 4), syntaxErrorAt("a: 1\nb: [1, 2\nc: 3\n"));
        assertEquals(new Location(2, 4), syntaxErrorAt("a: 1\nb: { c: 1\nd: 2\n"));
    }

    @Test
    void aStrayToken_isReportedWhereItStands_notAtTheEndOfTheLineBefore() {
        assertEquals(new Location(2, 1), syntaxErrorAt("a: 1\n- b\n"));
        assertEquals(new Location(2, 1), syntaxErrorAt("a: 1\n\tb: 2\n"));
        assertEquals(new Location(2, 4), syntaxErrorAt("a: 1\nb: @x\n"));
        assertEquals(new Location(3, 4), syntaxErrorAt("a: 1\nb: 2\n  c: 3\n"));
    }

    @Test
    void anUnclosedQuote_isReportedWhereItOpens() {
        assertEquals(new Location(2, 4), syntaxErrorAt("a: 1\nb: 'it''s\nc: 2\n"));
    }
}
