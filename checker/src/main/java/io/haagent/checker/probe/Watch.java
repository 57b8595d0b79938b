package io.haagent.checker.probe;

/**
 * A probe's watch between runs: something that sees the checked server go away the moment it happens
 * (a {@code redis} check's idle connection closed by the server), instead of at the next run. Close it
 * to stop watching; closing twice is harmless.
 */
public interface Watch extends AutoCloseable {
    /** No watch: the checks that can only be polled. */
    Watch NONE = () -> {};

    @Override
    void close();

    /** What a watch tells its check; called from the watch's own thread, never concurrently. */
    interface Listener {
        /** The server closed the watched connection: the check should run now rather than at its next interval. */
        void lost(String why);

        /** The server is known down, without a run: it closed the watched connection and then refused a new one. */
        void down(String why);
    }
}
