package io.haagent.agent.load;

import java.io.IOException;
import java.nio.file.Path;

/** {@code /proc/loadavg}: {@code node_load1}, {@code node_load5}, {@code node_load15}. */
final class LoadAvg implements LoadReader {
    private final ProcFile file;

    LoadAvg(Path procRoot) {
        this.file = new ProcFile(procRoot.resolve("loadavg"));
    }

    @Override
    public void read(Readings into) throws IOException {
        String[] w = ProcText.words(file.read().strip(), 3);
        if (w.length < 3) {
            throw new IOException(file + " has fewer than 3 columns");
        }
        try {
            into.put("node_load1", Double.parseDouble(w[0]));
            into.put("node_load5", Double.parseDouble(w[1]));
            into.put("node_load15", Double.parseDouble(w[2]));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": not load averages: " + String.join(" ", w));
        }
    }

    @Override
    public String what() {
        return "load averages (" + file + ")";
    }
}
