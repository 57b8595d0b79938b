package io.haagent.agent.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Decides which spooled mails go out together; a pure function of what was offered and the monotonic
 * time passed in (STYLE §5), so it is tested without sleeps.
 *
 * <p>A mail that arrives while no window is open goes at once, alone, and opens a window. Mails that
 * arrive while the window is open are held; at its end they leave as one batch (one digest mail) and a
 * new window opens, so a burst that goes on yields one digest per window. A window that ends with
 * nothing held closes. A zero window turns grouping off: every mail is its own batch.
 *
 * <p>An urgent mail (a VRRP instance became MASTER or FAULT) is never held: it leaves at once, and what
 * the open window held goes with it in the same batch, ahead of it; a new window opens from then.
 *
 * @param <T> what is grouped (the spool entries; anything in tests)
 */
final class Grouper<T> {
    private final long windowNanos;
    private final List<T> held = new ArrayList<>();
    private boolean open;
    private long windowEnd;

    Grouper(long windowNanos) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("window must not be negative: " + windowNanos + " ns");
        }
        this.windowNanos = windowNanos;
    }

    boolean enabled() {
        return windowNanos > 0;
    }

    /** Offers one mail that may wait; returns the batches to send now, in order (a due digest before the new mail). */
    List<List<T>> offer(T item, long now) {
        return offer(item, now, false);
    }

    /** Offers one mail; an {@code urgent} one is in the returned batches whatever the window. */
    List<List<T>> offer(T item, long now, boolean urgent) {
        List<List<T>> out = new ArrayList<>(due(now));
        if (!open || windowNanos == 0) {
            out.add(List.of(item));
            open = windowNanos > 0;
            windowEnd = now + windowNanos;
        } else if (urgent) {
            held.add(item);
            out.add(List.copyOf(held));
            held.clear();
            windowEnd = now + windowNanos;
        } else {
            held.add(item);
        }
        return out;
    }

    /** The digest whose window has ended, if any. */
    List<List<T>> due(long now) {
        if (!open || now - windowEnd < 0) {
            return List.of();
        }
        if (held.isEmpty()) {
            open = false;
            return List.of();
        }
        List<T> batch = List.copyOf(held);
        held.clear();
        windowEnd = now + windowNanos;
        return List.of(batch);
    }

    /** When {@link #due} may next return something; empty while nothing is held and no window is open. */
    OptionalLong nextWakeNanos() {
        return open ? OptionalLong.of(windowEnd) : OptionalLong.empty();
    }
}
