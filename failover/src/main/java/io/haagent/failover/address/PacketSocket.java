package io.haagent.failover.address;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
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
 * Sends whole Ethernet frames out of one interface through a Linux {@code AF_PACKET}/{@code SOCK_RAW}
 * socket, called through the foreign function API (the pattern of {@code vrrp.net.Libc}, with the three
 * calls this needs). Needs {@code CAP_NET_RAW}. Send-only: the socket is opened with protocol 0, so the
 * kernel queues nothing to it.
 *
 * <p>Constants are Linux x86_64/aarch64 values ({@code <linux/if_packet.h>}, {@code <bits/socket.h>}).
 */
final class PacketSocket {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int ARPHRD_ETHER = 1;
    private static final long SOCKADDR_LL_SIZE = 20;

    private static final Map<Integer, String> ERRNO_NAMES = Map.of(1, "EPERM", 13, "EACCES", 19, "ENODEV",
            22, "EINVAL", 6, "ENXIO", 97, "EAFNOSUPPORT", 100, "ENETDOWN", 105, "ENOBUFS", 90, "EMSGSIZE");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfShort SHORT_BIG_ENDIAN =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final MethodHandle SOCKET =
            downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private PacketSocket() {}

    // Restricted: a wrong descriptor could crash the JVM; these match the glibc prototypes in <sys/socket.h>.
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + "()"));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    /**
     * Opens a packet socket, sends {@code frame} (destination MAC first) out of interface
     * {@code ifindex} to {@code destination}, and closes it.
     *
     * @throws IOException with the errno's name: {@code EPERM} means the agent lacks CAP_NET_RAW
     */
    static void send(int ifindex, byte[] destination, int etherType, byte[] frame) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) SOCKET.invokeExact(state, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("socket(AF_PACKET, SOCK_RAW) failed: " + errno(state)
                        + hint(errno(state)));
            }
            try {
                MemorySegment sll = arena.allocate(SOCKADDR_LL_SIZE, 4);
                sll.set(ValueLayout.JAVA_SHORT, 0, (short) AF_PACKET); // sll_family, host order
                sll.set(SHORT_BIG_ENDIAN, 2, (short) etherType);      // sll_protocol, network order
                sll.set(ValueLayout.JAVA_INT, 4, ifindex);            // sll_ifindex
                sll.set(ValueLayout.JAVA_SHORT, 8, (short) ARPHRD_ETHER); // sll_hatype
                sll.set(ValueLayout.JAVA_BYTE, 11, (byte) destination.length); // sll_halen
                MemorySegment.copy(MemorySegment.ofArray(destination), 0, sll, 12, destination.length);
                MemorySegment buf = arena.allocate(frame.length);
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, buf, 0, frame.length);
                long sent = (long) SENDTO.invokeExact(state, fd, buf, (long) frame.length, 0, sll, (int) SOCKADDR_LL_SIZE);
                if (sent < 0) {
                    throw new IOException("sendto on interface index " + ifindex + " failed: " + errno(state)
                            + hint(errno(state)));
                }
                if (sent != frame.length) {
                    throw new IOException("sendto sent " + sent + " of " + frame.length + " bytes");
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) { // invokeExact declares Throwable; a native call itself never throws
            throw new IllegalStateException("native packet socket call failed unexpectedly", t);
        }
    }

    private static String errno(MemorySegment state) {
        int errno = (int) ERRNO.get(state, 0L);
        return ERRNO_NAMES.getOrDefault(errno, "errno " + errno);
    }

    private static String hint(String errno) {
        return errno.equals("EPERM") || errno.equals("EACCES")
                ? " (the agent needs CAP_NET_RAW: AmbientCapabilities=CAP_NET_RAW in its systemd unit, or root)" : "";
    }
}
