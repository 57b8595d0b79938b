package io.haagent.checker.probe;

import io.haagent.config.CheckSpec;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletableFuture;

/**
 * {@code disk}: the used percentage of the file system holding {@code path}, computed as
 * {@code (total - usable) / total} like {@code df} (space reserved for root counts as used), and
 * rounded up as {@code df} does. Down above {@code max_used_percent}. Runs on a virtual thread:
 * statvfs on a hung NFS mount blocks.
 */
final class DiskProbe implements Probe {
    private final CheckSpec.Disk spec;
    private final ProbeContext ctx;

    DiskProbe(CheckSpec.Disk spec, ProbeContext ctx) {
        this.spec = spec;
        this.ctx = ctx;
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        long start = ctx.ticker().nanoTime();
        var timeout = spec.timing().timeout();
        return ctx.blocking(start, timeout, timeout, () -> measure(start), () -> {});
    }

    private CheckResult measure(long start) throws ProbeFailure {
        long total;
        long usable;
        try {
            FileStore store = Files.getFileStore(spec.path());
            total = store.getTotalSpace();
            usable = store.getUsableSpace();
        } catch (NoSuchFileException e) {
            throw new ProbeFailure(spec.path() + " does not exist", e);
        } catch (IOException e) {
            throw new ProbeFailure("cannot stat " + spec.path() + ": " + Reasons.shorten(e.getMessage()), e);
        }
        if (total <= 0) {
            throw new ProbeFailure(spec.path() + " is on a file system with no size", null);
        }
        double used = 100.0 * (total - usable) / total;
        long shown = (long) Math.ceil(used);
        var took = ctx.since(start);
        CheckResult result = used > spec.maxUsedPercent()
                ? CheckResult.down("disk " + shown + "% used > " + spec.maxUsedPercent() + "%", took)
                : CheckResult.up("disk " + shown + "% used", took);
        return result.withReading(new Reading.DiskUsed((double) (total - usable) / total));
    }
}
