package io.haagent.agent.load;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code /proc/stat}: {@code node_cpu_seconds_total{cpu="N",mode="..."}} per CPU line, and the number of CPU lines
 * as the host's {@code vcpus}. As node_exporter: the ticks are USER_HZ (100 per second on every Linux architecture
 * the kernel exports to user space), the modes are the first eight columns (user nice system idle iowait irq softirq
 * steal); guest and guest_nice are left out, the kernel counts them in user and nice already. An older kernel's
 * shorter line gives the modes it has.
 */
final class CpuStat implements LoadReader {
    private static final String[] MODES = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
    private static final double USER_HZ = 100.0;

    private final ProcFile file;

    CpuStat(Path procRoot) {
        this.file = new ProcFile(procRoot.resolve("stat"));
    }

    @Override
    public void read(Readings into) throws IOException {
        String text = file.read();
        int cpus = 0;
        int at = 0;
        // the cpu lines come first; stop at the first other line rather than cut the long intr line into words
        while (at < text.length() && text.startsWith("cpu", at)) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            if (at + 3 < end && text.charAt(at + 3) != ' ') { // "cpu " is the sum over all CPUs
                String[] w = ProcText.words(text, at, end, 1 + MODES.length);
                String cpu = w[0].substring(3);
                for (int m = 1; m < w.length; m++) {
                    into.put("node_cpu_seconds_total", ProcText.number(w[m], file) / USER_HZ,
                            "cpu", cpu, "mode", MODES[m - 1]);
                }
                cpus++;
            }
            at = end + 1;
        }
        if (cpus == 0) {
            throw new IOException(file + " has no cpuN line");
        }
        into.host("vcpus", cpus);
    }

    @Override
    public String what() {
        return "CPU seconds (" + file + ")";
    }
}
