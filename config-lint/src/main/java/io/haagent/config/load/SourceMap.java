package io.haagent.config.load;

import io.haagent.lint.finding.Location;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each config path stands in the file, for the rules that run after loading:
 * {@code vrrp.redis-vip.unicast.peers[0]} → line 31, column 28.
 */
public final class SourceMap {
    private final Map<String, Location> values = new HashMap<>();
    private final Map<String, Location> keys = new HashMap<>();

    void put(String path, Location keyAt, Location valueAt) {
        keys.put(path, keyAt);
        values.put(path, valueAt);
    }

    /** The value at {@code path}; if it is not in the file (a default), the nearest enclosing key that is. */
    public Location at(String path) {
        for (String p = path; ; p = parent(p)) {
            Location l = values.get(p);
            if (l != null) {
                return p.equals(path) ? l : keys.getOrDefault(p, l);
            }
            if (p.isEmpty()) {
                return Location.START;
            }
        }
    }

    /** The key of {@code path} (or of its nearest enclosing key in the file). */
    public Location keyAt(String path) {
        for (String p = path; ; p = parent(p)) {
            Location l = keys.get(p);
            if (l != null) {
                return l;
            }
            if (p.isEmpty()) {
                return Location.START;
            }
        }
    }

    /** Whether the file spells out {@code path} (rather than leaving it to a default). */
    public boolean has(String path) {
        return values.containsKey(path);
    }

    static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut <= 0 ? "" : path.substring(0, cut);
    }
}
