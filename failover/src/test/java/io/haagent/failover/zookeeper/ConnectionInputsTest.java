package io.haagent.failover.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.failover.lease.LeaseInput;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.Test;

/** The small translations of the edge that a live server does not reach on its own: no read-only server here. */
class ConnectionInputsTest {

    @Test
    void readOnly_isSuspended_aServerCutOffFromItsQuorumProvesNothing() {
        assertEquals(Optional.of(new LeaseInput.Suspended()), ZkCoordination.input(ConnectionState.READ_ONLY, 7));
    }

    @Test
    void theFirstConnected_movesNothing_reconnected_carriesTheSession() {
        assertEquals(Optional.empty(), ZkCoordination.input(ConnectionState.CONNECTED, 7));
        assertEquals(Optional.of(new LeaseInput.Reconnected(7)), ZkCoordination.input(ConnectionState.RECONNECTED, 7));
    }

    @Test
    void chroot_becomesCuratorsNamespace_withoutItsSlash() {
        assertEquals(Optional.of("tenants/blue"), ZkCoordination.namespace(Optional.of("/tenants/blue")));
        assertEquals(Optional.empty(), ZkCoordination.namespace(Optional.empty()));
    }

    @Test
    void holder_ofANodeAnotherProgramWrote_isAnUnknownHost() {
        assertEquals("an unknown host", HolderData.hostOf("locked".getBytes(StandardCharsets.UTF_8)));
        assertEquals("an unknown host", HolderData.hostOf(null));
        assertEquals("db-2", HolderData.hostOf(new HolderData("db-2", 0x1f).bytes()));
    }
}
