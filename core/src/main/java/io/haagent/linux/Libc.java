package io.haagent.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Every native call haagent makes, through the foreign function API (no JNI library to ship). Each
 * call returns the C result; a negative result leaves errno in the caller's {@code state} segment (see
 * {@link #newCallState}), because the JVM may overwrite the thread's errno before Java code could read
 * it.
 *
 * <p>Constants are Linux x86_64/aarch64 values ({@code <bits/socket.h>}, {@code <linux/if_packet.h>},
 * {@code <sched.h>}, {@code <fcntl.h>}); haagent runs only on Linux.
 */
public final class Libc {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_VRRP = 112;
    public static final int IP_TTL = 2;
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_BINDTODEVICE = 25;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int ARPHRD_ETHER = 1;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int ENODEV = 19;
    public static final int EADDRNOTAVAIL = 99;

    public static final long SOCKADDR_IN_SIZE = 16;
    public static final long SOCKADDR_LL_SIZE = 20;
    /** {@code sizeof(((struct sockaddr_un *) 0)->sun_path)}: the longest Unix socket address, NUL included. */
    public static final int SUN_PATH_SIZE = 108;
    /**
     * Room for a {@code struct stat}: 144 bytes on x86_64, 128 on aarch64. Both start with {@code st_dev} and
     * {@code st_ino}, 8 bytes each, which is all haagent reads of it.
     */
    public static final long STAT_SIZE = 256;

    private static final Map<Integer, String> ERRNO_NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(EINTR, "EINTR"), Map.entry(6, "ENXIO"), Map.entry(EBADF, "EBADF"),
            Map.entry(EAGAIN, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(EACCES, "EACCES"),
            Map.entry(ENODEV, "ENODEV"), Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"),
            Map.entry(24, "EMFILE"), Map.entry(90, "EMSGSIZE"), Map.entry(93, "EPROTONOSUPPORT"),
            Map.entry(97, "EAFNOSUPPORT"), Map.entry(98, "EADDRINUSE"), Map.entry(EADDRNOTAVAIL, "EADDRNOTAVAIL"),
            Map.entry(100, "ENETDOWN"), Map.entry(101, "ENETUNREACH"), Map.entry(105, "ENOBUFS"),
            Map.entry(111, "ECONNREFUSED"), Map.entry(113, "EHOSTUNREACH"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfShort SHORT_NATIVE = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfShort SHORT_BIG_ENDIAN =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BIG_ENDIAN =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    // The glibc prototypes: <sys/socket.h>, <unistd.h>, <fcntl.h>, <sched.h>.
    private static final MethodHandle SOCKET =
            downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND =
            downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = downcall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // open(2) is variadic in C; with O_RDONLY no mode is passed, so the two fixed arguments are all.
    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // <sys/stat.h>; glibc exports fstat itself since 2.33 (Debian 12 has 2.36), before that only __fxstat.
    private static final MethodHandle FSTAT = downcall("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    private Libc() {}

    // Restricted: a wrong descriptor could crash the JVM; the ones above match the glibc prototypes.
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + "()"));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    /** Where a call leaves errno; one per thread that makes calls, never shared between threads. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The errno the last failed call left in {@code state}. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** The errno's symbolic name, which operators search for, or {@code errno N} for an unusual one. */
    public static String errnoName(int errno) {
        return ERRNO_NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** A {@code struct sockaddr_in}: family in host order, port and address in network order. */
    public static MemorySegment sockaddrIn(Arena arena, int addressBits, int port) {
        MemorySegment sa = arena.allocate(SOCKADDR_IN_SIZE, 4);
        sa.set(SHORT_NATIVE, 0, (short) AF_INET);
        sa.set(SHORT_BIG_ENDIAN, 2, (short) port);
        sa.set(INT_BIG_ENDIAN, 4, addressBits);
        return sa;
    }

    /**
     * A {@code struct sockaddr_ll} ({@code <linux/if_packet.h>}) for sending an Ethernet frame out of
     * interface {@code ifindex} to the hardware address {@code destination}.
     */
    public static MemorySegment sockaddrLl(Arena arena, int ifindex, int etherType, byte[] destination) {
        MemorySegment sll = arena.allocate(SOCKADDR_LL_SIZE, 4);
        sll.set(SHORT_NATIVE, 0, (short) AF_PACKET);                  // sll_family, host order
        sll.set(SHORT_BIG_ENDIAN, 2, (short) etherType);               // sll_protocol, network order
        sll.set(ValueLayout.JAVA_INT, 4, ifindex);                     // sll_ifindex
        sll.set(SHORT_NATIVE, 8, (short) ARPHRD_ETHER);                // sll_hatype
        sll.set(ValueLayout.JAVA_BYTE, 11, (byte) destination.length); // sll_halen
        MemorySegment.copy(MemorySegment.ofArray(destination), 0, sll, 12, destination.length);
        return sll;
    }

    /**
     * A {@code struct sockaddr_un} ({@code <sys/un.h>}) for {@code address} as systemd writes it in
     * {@code NOTIFY_SOCKET}: a file path, or {@code @name} for the abstract namespace (byte 0, then the name,
     * no NUL). The segment is as long as the address ({@code offsetof(sun_path)} + the name, + its NUL for a
     * path), which is the length {@link #sendto} and {@link #bind} pass: an abstract name's length is part of it.
     *
     * @throws IllegalArgumentException the address is empty, relative, or too long for {@code sun_path}
     */
    public static MemorySegment sockaddrUn(Arena arena, String address) {
        boolean abstractName = address.startsWith("@");
        if (!abstractName && !address.startsWith("/")) {
            throw new IllegalArgumentException("'" + address + "' is no Unix socket address: an absolute path or @name");
        }
        byte[] name = address.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int pathBytes = abstractName ? name.length : name.length + 1;
        if (name.length < 2 || pathBytes > SUN_PATH_SIZE) {
            throw new IllegalArgumentException("'" + address + "' is no Unix socket address: 1 to "
                    + (SUN_PATH_SIZE - 1) + " bytes after the first");
        }
        MemorySegment sa = arena.allocate(2L + pathBytes, 2);
        sa.set(SHORT_NATIVE, 0, (short) AF_UNIX);
        MemorySegment.copy(MemorySegment.ofArray(name), 0, sa, 2, name.length);
        if (abstractName) {
            sa.set(ValueLayout.JAVA_BYTE, 2, (byte) 0); // the '@' stands for the leading NUL of an abstract name
        }
        return sa;
    }

    public static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value) {
        try {
            return (int) SETSOCKOPT.invokeExact(state, fd, level, name, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int bind(MemorySegment state, int fd, MemorySegment sockaddr) {
        try {
            return (int) BIND.invokeExact(state, fd, sockaddr, (int) sockaddr.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static long sendto(MemorySegment state, int fd, MemorySegment buf, int flags, MemorySegment sockaddr) {
        try {
            return (long) SENDTO.invokeExact(state, fd, buf, buf.byteSize(), flags, sockaddr, (int) sockaddr.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Receives into {@code buf}; the sender's address is not asked for (the IP header carries it). */
    public static long recv(MemorySegment state, int fd, MemorySegment buf) {
        try {
            return (long) RECVFROM.invokeExact(state, fd, buf, buf.byteSize(), 0, MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code open(path, flags)}; {@code path} is a NUL-terminated string ({@code arena.allocateFrom}). */
    public static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Moves the calling thread into the namespace that {@code fd} refers to ({@code CLONE_NEWNET}: network). */
    public static int setns(MemorySegment state, int fd, int nstype) {
        try {
            return (int) SETNS.invokeExact(state, fd, nstype);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code fstat(fd, buf)}; {@code buf} holds {@link #STAT_SIZE} bytes, read with {@link #statDevice}, {@link #statInode}. */
    public static int fstat(MemorySegment state, int fd, MemorySegment buf) {
        try {
            return (int) FSTAT.invokeExact(state, fd, buf);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code st_dev} of a {@link #fstat} result, as systemd prints it (an unsigned 64-bit number). */
    public static long statDevice(MemorySegment buf) {
        return buf.get(JAVA_LONG, 0);
    }

    /** {@code st_ino} of a {@link #fstat} result. */
    public static long statInode(MemorySegment buf) {
        return buf.get(JAVA_LONG, 8);
    }

    // invokeExact declares Throwable; a native call itself never throws, so this is a linkage bug.
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed unexpectedly", t);
    }
}
