package io.haagent.agent.load;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code /proc/meminfo}: {@code node_memory_MemTotal_bytes} (also the host's {@code memory_total_bytes}) and
 * {@code node_memory_MemAvailable_bytes}, from kB as node_exporter does (x 1024). MemAvailable exists since Linux
 * 3.14; on an older kernel it is left out with a problem saying so, MemTotal is still sent.
 */
final class MemInfo implements LoadReader {
    private final ProcFile file;

    MemInfo(Path procRoot) {
        this.file = new ProcFile(procRoot.resolve("meminfo"));
    }

    @Override
    public void read(Readings into) throws IOException {
        String text = file.read();
        long total = -1;
        long available = -1;
        int at = 0;
        while (at < text.length() && (total < 0 || available < 0)) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            if (text.startsWith("MemTotal:", at)) {
                total = kilobytes(text, at, end);
            } else if (text.startsWith("MemAvailable:", at)) {
                available = kilobytes(text, at, end);
            }
            at = end + 1;
        }
        if (total < 0) {
            throw new IOException(file + " has no MemTotal line");
        }
        into.put("node_memory_MemTotal_bytes", total);
        into.host("memory_total_bytes", total);
        if (available >= 0) {
            into.put("node_memory_MemAvailable_bytes", available);
        } else {
            into.problem("node_memory_MemAvailable_bytes left out: " + file + " has no MemAvailable line"
                    + " (a kernel before 3.14)");
        }
    }

    private long kilobytes(String text, int at, int end) throws IOException {
        String[] w = ProcText.words(text, at, end, 3); // "MemTotal:", "3742148", "kB"
        if (w.length < 2) {
            throw new IOException(file + ": " + text.substring(at, end) + " has no value");
        }
        return ProcText.number(w[1], file) * 1024;
    }

    @Override
    public String what() {
        return "memory (" + file + ")";
    }
}
