package io.haagent.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZookeeperServerTest {

    @BeforeEach
    void zookeeper() {
        ZookeeperServer.assumeAvailable();
    }

    @Test
    void start_servesStandalone_kill_refuses_restart_servesOnTheSamePort() throws IOException {
        try (ZookeeperServer zk = ZookeeperServer.start()) {
            assertTrue(zk.connectString().startsWith("127.0.0.1:"), zk.connectString());
            assertTrue(srvr("127.0.0.1", zk.port()).contains("Mode: standalone"), zk.logTail());
            int port = zk.port();
            zk.kill();
            assertFalse(zk.isRunning());
            assertFalse(accepts("127.0.0.1", port));
            zk.restart();
            assertTrue(srvr("127.0.0.1", port).contains("Mode: standalone"), zk.logTail());
        }
    }

    @Test
    void startIn_aLabHost_servesTheOtherHostsAtItsAddress() throws IOException {
        NetnsLab.unavailableReason().ifPresent(why -> Assumptions.abort("network namespace tests skipped: " + why));
        try (NetnsLab lab = NetnsLab.create(2);
             ZookeeperServer zk = ZookeeperServer.startIn(lab.host(0));
             NetnsThread other = NetnsThread.in(lab.host(1))) {
            assertTrue(zk.connectString().equals(lab.host(0).address() + ":2181"), zk.connectString());
            String answer = other.call(() -> srvr(lab.host(0).address(), 2181));
            assertTrue(answer.contains("Zookeeper version: 3."), answer);
            lab.partition(0);
            assertFalse(other.call(() -> accepts(lab.host(0).address(), 2181)), "reachable across the partition");
        }
    }

    /** The one four-letter word ZooKeeper keeps on: its version and mode. */
    private static String srvr(String ip, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean accepts(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
