package io.haagent.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free TCP ports on the loopback interface, for servers a test starts. The port is free when
 * returned; another process may still take it before the test binds it, so fixtures that start
 * servers retry on "address in use". Within one JVM a port is never handed out twice.
 */
public final class FreePorts {
    private static final InetAddress LOOPBACK = loopback();
    private static final Set<Integer> GIVEN = new HashSet<>();

    private FreePorts() {}

    /** A TCP port nothing listens on at 127.0.0.1 right now. */
    public static int tcp() {
        synchronized (GIVEN) {
            for (int attempt = 0; attempt < 100; attempt++) {
                int port = bindAndRelease();
                if (GIVEN.add(port)) {
                    return port;
                }
            }
        }
        throw new IllegalStateException("no free loopback TCP port after 100 attempts");
    }

    private static InetAddress loopback() {
        try {
            // 127.0.0.1 itself, not getLoopbackAddress(): that is ::1 when IPv6 is preferred.
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int bindAndRelease() {
        // Without SO_REUSEADDR the just-closed port would sit in TIME_WAIT for the server we start next.
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port", e);
        }
    }
}
