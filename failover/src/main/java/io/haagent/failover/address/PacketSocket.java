package io.haagent.failover.address;

import io.haagent.linux.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Sends whole Ethernet frames out of one interface through a Linux {@code AF_PACKET}/{@code SOCK_RAW}
 * socket ({@link Libc}). Needs {@code CAP_NET_RAW}. Send-only: the socket is opened with protocol 0, so
 * the kernel queues nothing to it.
 */
final class PacketSocket {

    private PacketSocket() {}

    /**
     * Opens a packet socket, sends {@code frame} (destination MAC first) out of interface
     * {@code ifindex} to {@code destination}, and closes it.
     *
     * @throws IOException with the errno's name: {@code EPERM} means the agent lacks CAP_NET_RAW
     */
    static void send(int ifindex, byte[] destination, int etherType, byte[] frame) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            int fd = Libc.socket(state, Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("socket(AF_PACKET, SOCK_RAW) failed: " + errno(state) + hint(errno(state)));
            }
            try {
                MemorySegment sll = Libc.sockaddrLl(arena, ifindex, etherType, destination);
                MemorySegment buf = arena.allocate(frame.length);
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, buf, 0, frame.length);
                long sent = Libc.sendto(state, fd, buf, 0, sll);
                if (sent < 0) {
                    throw new IOException("sendto on interface index " + ifindex + " failed: " + errno(state)
                            + hint(errno(state)));
                }
                if (sent != frame.length) {
                    throw new IOException("sendto sent " + sent + " of " + frame.length + " bytes");
                }
            } finally {
                Libc.close(state, fd);
            }
        }
    }

    private static String errno(MemorySegment state) {
        return Libc.errnoName(Libc.errno(state));
    }

    private static String hint(String errno) {
        return errno.equals("EPERM") || errno.equals("EACCES")
                ? " (the agent needs CAP_NET_RAW: AmbientCapabilities=CAP_NET_RAW in its systemd unit, or root)" : "";
    }
}
