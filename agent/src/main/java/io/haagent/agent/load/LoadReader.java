package io.haagent.agent.load;

/**
 * One source of a sample's series: a /proc file, statfs, the application's Redis or HTTP endpoint. Reading has no
 * lasting effect and may be repeated; it throws when its source cannot be read or parsed, and the sampler turns that
 * into one problem sentence with {@link #what()} and leaves this reader's series out of the sample (never the whole
 * sample). A reader may also add problems of its own (an interface configured but absent) and still succeed.
 */
public sealed interface LoadReader
        permits CpuStat, LoadAvg, MemInfo, NetDev, DiskStats, Pressure, Filesystems, RedisThroughput, HttpThroughput {

    /** Stages this source's series into {@code into}; the caller commits them when this returns. */
    void read(Readings into) throws Exception;

    /** What is left out when this reader fails, for the problem sentence: {@code "CPU seconds (/proc/stat)"}. */
    String what();
}
