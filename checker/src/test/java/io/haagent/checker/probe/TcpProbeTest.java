package io.haagent.checker.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.CheckSpec;
import io.haagent.config.HostPort;
import io.haagent.testkit.FreePorts;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpProbeTest {
    private static Probes probes;

    @BeforeAll
    static void setUp() {
        probes = Probes.create();
    }

    @AfterAll
    static void tearDown() {
        probes.close();
    }

    private static CheckResult run(int port) throws Exception {
        CheckSpec spec = new CheckSpec.Tcp(new HostPort("127.0.0.1", port),
                new CheckSpec.CheckTiming(Duration.ofSeconds(4), Duration.ofSeconds(2), 2, 3));
        return probes.forCheck("api", spec).run().get(30, TimeUnit.SECONDS);
    }

    @Test
    void listening_isUp_connectedInSomeMilliseconds() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
            CheckResult r = run(server.getLocalPort());
            assertTrue(r.up(), r.reason());
            assertTrue(r.reason().matches("connected in (<1|\\d+)ms"), r.reason());
        }
    }

    @Test
    void nothingListening_isDown_connectRefused() throws Exception {
        CheckResult r = run(FreePorts.tcp());
        assertFalse(r.up());
        assertEquals("connect refused", r.reason());
    }
}
