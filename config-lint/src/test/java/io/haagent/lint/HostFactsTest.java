package io.haagent.lint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.config.Ipv4;
import org.junit.jupiter.api.Test;

class HostFactsTest {
    @Test
    void anyAddressOfTheLoopbackNetwork_isLocal_otherUnlistedAddressesAreNot() {
        HostFacts host = CorpusTest.FAKE_HOST;
        assertTrue(host.isLocal(Ipv4.parse("127.0.0.1")));
        assertTrue(host.isLocal(Ipv4.parse("127.0.0.2")), "127/8 is all loopback on Linux");
        assertTrue(host.isLocal(Ipv4.parse("10.0.1.10")));
        assertFalse(host.isLocal(Ipv4.parse("10.0.1.11")));
        assertFalse(host.isLocal(Ipv4.parse("128.0.0.1")));
    }

    @Test
    void thisMachine_reportsItsLoopbackNetwork() {
        HostFacts host = HostFacts.system();
        assertTrue(host.interfaces().contains("lo"), host.interfaces().toString());
        assertTrue(host.isLocal(Ipv4.parse("127.0.0.2")), host.loopbackNetworks().toString());
    }
}
