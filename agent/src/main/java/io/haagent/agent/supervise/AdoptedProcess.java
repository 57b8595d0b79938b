package io.haagent.agent.supervise;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A child a previous agent started and left running, adopted instead of restarted: not a child of this JVM,
 * so its output is not ours to read (its pipes died with that agent) and its exit status is not ours to learn
 * ({@link #exitValue} is {@link #UNKNOWN_EXIT}). Its exit is seen by polling, every {@link #POLL}.
 */
final class AdoptedProcess extends Process {
    /** The exit status of a process that was not our child. */
    static final int UNKNOWN_EXIT = -1;
    private static final Duration POLL = Duration.ofMillis(100);

    private final ProcessHandle handle;
    private final CompletableFuture<Process> exit = new CompletableFuture<>();

    AdoptedProcess(ProcessHandle handle) {
        this.handle = handle;
        // ProcessHandle.onExit of a non-child polls too, but at a pace of seconds; a dead Redis should not wait that long
        Thread.ofVirtual().name("adopted-" + handle.pid()).start(() -> {
            try {
                while (handle.isAlive()) {
                    Thread.sleep(POLL);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exit.complete(this);
        });
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public int waitFor() throws InterruptedException {
        try {
            exit.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return UNKNOWN_EXIT;
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            exit.get(timeout, unit);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int exitValue() {
        if (!exit.isDone()) {
            throw new IllegalThreadStateException("adopted process " + handle.pid() + " has not exited");
        }
        return UNKNOWN_EXIT;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone() && handle.isAlive();
    }

    @Override
    public void destroy() {
        handle.destroy();
    }

    @Override
    public Process destroyForcibly() {
        handle.destroyForcibly();
        return this;
    }

    @Override
    public long pid() {
        return handle.pid();
    }

    @Override
    public ProcessHandle toHandle() {
        return handle;
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit;
    }
}
