package io.haagent.agent.load;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per configured mount point, {@code node_filesystem_avail_bytes{mountpoint="..."}} and
 * {@code node_filesystem_size_bytes}: statfs(2) underneath ({@link FileStore#getUsableSpace()} is f_bavail x f_frsize,
 * what an unprivileged writer may still use, as node_exporter's avail; {@link FileStore#getTotalSpace()} is f_blocks
 * x f_frsize). A mount that cannot be asked is a problem for that mount alone; the others are still sent.
 *
 * <p>The {@code FileStore} is looked up once per mount and kept: the JDK finds it by scanning the mount table,
 * while each size it answers is a fresh statfs.
 */
final class Filesystems implements LoadReader {
    private final List<Path> mounts;
    private final Map<Path, FileStore> stores = new HashMap<>();

    Filesystems(List<Path> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    @Override
    public void read(Readings into) {
        for (Path mount : mounts) {
            try {
                FileStore store = stores.get(mount);
                if (store == null) {
                    store = Files.getFileStore(mount);
                    stores.put(mount, store);
                }
                long avail = store.getUsableSpace();
                long size = store.getTotalSpace();
                into.put("node_filesystem_avail_bytes", avail, "mountpoint", mount.toString());
                into.put("node_filesystem_size_bytes", size, "mountpoint", mount.toString());
            } catch (IOException | SecurityException e) {
                stores.remove(mount);
                into.problem("filesystem " + mount + " left out: statfs failed (" + Problems.reason(e) + ")");
            }
        }
    }

    @Override
    public String what() {
        return "filesystems " + mounts;
    }
}
