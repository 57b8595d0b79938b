package io.haagent.lint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.haagent.lint.finding.Finding;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/** How {@code haagent lint} prints findings: for people, for programs, for GitHub Actions annotations. */
enum OutputFormat {
    /** {@code FILE:LINE:COL: error|warning: MESSAGE [rule-id]}, the format compilers use, so editors can jump to it. */
    TEXT {
        @Override
        void write(List<Finding> findings, PrintStream out) {
            findings.forEach(out::println);
        }
    },
    /** An array of objects with the same fields as the text format. */
    JSON {
        @Override
        void write(List<Finding> findings, PrintStream out) {
            try (JsonGenerator g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter()) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                g.writeStartArray();
                for (Finding f : findings) {
                    g.writeStartObject();
                    g.writeStringField("file", f.file());
                    g.writeNumberField("line", f.at().line());
                    g.writeNumberField("column", f.at().column());
                    g.writeStringField("severity", f.severity().label());
                    g.writeStringField("rule", f.rule().id());
                    g.writeStringField("message", f.message());
                    g.writeEndObject();
                }
                g.writeEndArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.println();
        }
    },
    /** Workflow commands: {@code ::error file=F,line=L,col=C,title=RULE::MESSAGE}. */
    GITHUB {
        @Override
        void write(List<Finding> findings, PrintStream out) {
            for (Finding f : findings) {
                out.println("::" + f.severity().label() + " file=" + property(f.file()) + ",line=" + f.at().line()
                        + ",col=" + f.at().column() + ",title=" + property(f.rule().id()) + "::" + data(f.message()));
            }
        }
    };

    abstract void write(List<Finding> findings, PrintStream out);

    static OutputFormat parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    // GitHub's toolkit escaping: data escapes % CR LF; properties also ':' and ','.
    private static String data(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static String property(String s) {
        return data(s).replace(":", "%3A").replace(",", "%2C");
    }
}
