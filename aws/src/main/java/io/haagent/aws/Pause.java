package io.haagent.aws;

import java.time.Duration;

/** Waits between two polls; a real sleep in production, a fake ticker's advance in tests. */
@FunctionalInterface
public interface Pause {
    void pause(Duration d) throws InterruptedException;
}
