package io.haagent.agent.load;

import java.nio.file.Path;
import java.util.List;

/** The host's readers in the order their series appear in a sample: CPU, load, memory, network, disks, PSI, mounts. */
public final class HostReaders {
    /** Where Linux shows its counters; tests pass a fixture directory instead. */
    public static final Path PROC = Path.of("/proc");

    private HostReaders() {}

    /**
     * @param procRoot   {@link #PROC}, or a fixture directory laid out like it
     * @param interfaces the network interfaces to send; empty: all but {@code lo}
     * @param mounts     the mount points to send free and total bytes of; empty: none
     */
    public static List<LoadReader> linux(Path procRoot, List<String> interfaces, List<Path> mounts) {
        return List.of(new CpuStat(procRoot), new LoadAvg(procRoot), new MemInfo(procRoot),
                new NetDev(procRoot, interfaces), new DiskStats(procRoot),
                new Pressure(procRoot, "cpu"), new Pressure(procRoot, "memory"), new Pressure(procRoot, "io"),
                new Filesystems(mounts));
    }
}
