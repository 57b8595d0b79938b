package io.haagent.testkit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
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
 * ({@code setns(2)} through the foreign function API), to run a client or a server there without a
 * process of its own: a socket belongs to the namespace of the thread that creates it, and threads this
 * thread starts inherit its namespace. So a Jedis client that writes through a lab's service address,
 * or a GreenMail server the lab's agents mail to, runs on {@link #call}, and the test still reads its
 * results as plain Java objects.
 *
 * <p>Only sockets created on this thread (or threads it started) live in the namespace; a library
 * that opens its sockets on a shared pool would escape it. Needs CAP_SYS_ADMIN (root), as the lab does.
 */
public final class NetnsThread implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;

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
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MethodHandle open = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle setns = linker.downcallHandle(libc.find("setns").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(arena.allocateFrom(netnsFile.toString()), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("cannot open " + netnsFile + " (does the namespace exist? are we root?)");
            }
            try {
                int r = (int) setns.invokeExact(fd, CLONE_NEWNET);
                if (r != 0) {
                    throw new IllegalStateException("setns(" + netnsFile + ") failed: entering a network namespace needs root");
                }
            } finally {
                int ignored = (int) close.invokeExact(fd);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setns through the foreign function API failed: " + t, t);
        }
    }

    /** Stops the thread; work still running is interrupted. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
