package io.haagent.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ZooKeeper client on the package's jlinked runtime and its lib/ jars, against a real server on loopback: the
 * runtime holds only the JDK modules src/jlink/modules names, and the jars only what the exclusions left (no Guava,
 * no native Netty, no commons-io), so a class the client needs and lacks fails here, not on a customer's host.
 */
class PackagedZookeeperClientTest {

    @Test
    void acquiresALease_onTheBundledRuntime(@TempDir Path root) throws Exception {
        Program.output("dpkg-deb", "--extract", Built.deb().toString(), root.toString());
        Path home = root.resolve("usr/lib/haagent");
        try (TestingServer server = new TestingServer()) {
            Program r = Program.run(Map.of("JAVA_HOME", ""), home.resolve("runtime/bin/java").toString(),
                    "-cp", home.resolve("lib") + "/*:" + Built.TARGET.resolve("test-classes"),
                    LeaseProbe.class.getName(), server.getConnectString());

            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("LEASE Acquired[epoch=")), r.out());
        }
    }
}
