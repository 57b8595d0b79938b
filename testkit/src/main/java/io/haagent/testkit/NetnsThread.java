package io.haagent.testkit;

import io.haagent.linux.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One platform thread of the test JVM moved into a {@link NetnsLab} host's network namespace
 * ({@code setns(2)} through core's {@link Libc}), to run a client or a server there without a
 * process of its own: a socket belongs to the namespace of the thread that creates it, and threads this
 * thread starts inherit its namespace. So a Jedis client that writes through a lab's service address,
 * or a GreenMail server the lab's agents mail to, runs on {@link #call}, and the test still reads its
 * results as plain Java objects.
 *
 * <p>Only sockets created on this thread (or threads it started) live in the namespace; a library
 * that opens its sockets on a shared pool would escape it. Needs CAP_SYS_ADMIN (root), as the lab does.
 */
public final class NetnsThread implements AutoCloseable {
    private final ExecutorService thread;
    private final String namespace;

    private NetnsThread(String namespace) {
        this.namespace = namespace;
        this.thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("netns-" + namespace).unstarted(r));
    }

    /** A thread inside {@code host}'s namespace; fails when the move fails. */
    public static NetnsThread in(NetnsLab.Host host) {
        NetnsThread t = new NetnsThread(host.namespace());
        try {
            t.call(() -> {
                enter(Path.of("/run/netns", host.namespace()));
                return null;
            });
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** Runs {@code work} on the thread in the namespace and returns its result (or throws its exception). */
    public <T> T call(Callable<T> work) {
        try {
            return thread.submit(work).get(2, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("in " + namespace + ": " + c, c);
        } catch (TimeoutException e) {
            throw new IllegalStateException("in " + namespace + ": the work did not finish within 2 minutes", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working in " + namespace, e);
        }
    }

    /**
     * Starts {@code work} on a thread of its own in the same namespace and returns at once, leaving
     * {@link #call} free meanwhile (a load loop beside the calls that read its effects).
     */
    public <T> CompletableFuture<T> start(Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Path ns = Path.of("/run/netns", namespace);
        Thread.ofPlatform().daemon().name("netns-" + namespace + "-worker").start(() -> {
            try {
                enter(ns);
                f.complete(work.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static void enter(Path netnsFile) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            int fd = Libc.open(state, arena.allocateFrom(netnsFile.toString()), Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("cannot open " + netnsFile + " (does the namespace exist? are we root?)");
            }
            try {
                int r = Libc.setns(state, fd, Libc.CLONE_NEWNET);
                if (r != 0) {
                    throw new IllegalStateException("setns(" + netnsFile + ") failed: entering a network namespace needs root");
                }
            } finally {
                Libc.close(state, fd);
            }
        }
    }

    /** Stops the thread; work still running is interrupted. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
