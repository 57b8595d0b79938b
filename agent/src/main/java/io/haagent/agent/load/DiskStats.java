package io.haagent.agent.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * {@code /proc/diskstats}: per disk {@code node_disk_read_bytes_total} and {@code node_disk_written_bytes_total}
 * (sectors x 512: the kernel counts 512-byte sectors here whatever the device's block size) and
 * {@code node_disk_io_time_seconds_total} (milliseconds doing I/O / 1000).
 *
 * <p>Devices are left out as node_exporter's default {@code --collector.diskstats.device-exclude} does:
 * {@code ^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$} — RAM disks, loop devices, floppies and the numbered
 * partitions of sd/hd/vd/xvd and NVMe disks; whole disks, device-mapper and md devices stay, so a consumer summing
 * disks does not count a partition's bytes twice.
 */
final class DiskStats implements LoadReader {
    static final Pattern EXCLUDED = Pattern.compile("^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$");
    private static final int SECTOR = 512;

    private final ProcFile file;

    DiskStats(Path procRoot) {
        this.file = new ProcFile(procRoot.resolve("diskstats"));
    }

    @Override
    public void read(Readings into) throws IOException {
        String text = file.read();
        int at = 0;
        while (at < text.length()) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            // major minor name reads merged sectors_read ms writes merged sectors_written ms in_flight io_ms ...
            String[] w = ProcText.words(text, at, end, 13);
            if (w.length == 13 && !EXCLUDED.matcher(w[2]).matches()) {
                String device = w[2];
                into.put("node_disk_read_bytes_total", ProcText.number(w[5], file) * SECTOR, "device", device);
                into.put("node_disk_written_bytes_total", ProcText.number(w[9], file) * SECTOR, "device", device);
                into.put("node_disk_io_time_seconds_total", ProcText.number(w[12], file) / 1000.0, "device", device);
            } else if (w.length > 0 && w.length < 13) {
                throw new IOException(file + ": a line with " + w.length + " columns, not at least 14");
            }
            at = end + 1;
        }
    }

    @Override
    public String what() {
        return "disk counters (" + file + ")";
    }
}
