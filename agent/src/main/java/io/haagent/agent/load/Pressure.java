package io.haagent.agent.load;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code /proc/pressure/{cpu,memory,io}} (PSI, Linux 4.20+ with {@code CONFIG_PSI}): the {@code total=} of the
 * {@code some} line as {@code node_pressure_<resource>_waiting_seconds_total} and, for memory and io, of the
 * {@code full} line as {@code _stalled_seconds_total}, from microseconds; node_exporter's names. One reader per
 * resource. A kernel without PSI has no such file, or answers EOPNOTSUPP when booted with {@code psi=0}: then the
 * series are simply absent, which is not a problem.
 */
final class Pressure implements LoadReader {
    private final ProcFile file;
    private final String resource;

    Pressure(Path procRoot, String resource) {
        this.file = new ProcFile(procRoot.resolve("pressure").resolve(resource));
        this.resource = resource;
    }

    @Override
    public void read(Readings into) throws IOException {
        String text;
        try {
            text = file.read();
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            if ("Operation not supported".equals(e.getMessage())) {
                return;
            }
            throw e;
        }
        int at = 0;
        while (at < text.length()) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            boolean some = text.startsWith("some ", at);
            // the cpu file has a full line since 5.13; node_exporter sends only cpu's waiting, and so do we
            boolean full = text.startsWith("full ", at) && !resource.equals("cpu");
            if (some || full) {
                int total = text.indexOf("total=", at);
                if (total < 0 || total > end) {
                    throw new IOException(file + ": no total= in \"" + text.substring(at, end) + "\"");
                }
                long micros = ProcText.number(text.substring(total + 6, end).strip(), file);
                into.put("node_pressure_" + resource + (some ? "_waiting" : "_stalled") + "_seconds_total",
                        micros / 1_000_000.0);
            }
            at = end + 1;
        }
    }

    @Override
    public String what() {
        return resource + " pressure (" + file + ")";
    }
}
