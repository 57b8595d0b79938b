package io.haagent.failover.address;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haagent.failover.address.EniMover.Act;
import io.haagent.failover.address.EniMover.Seen;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.AttachmentStatus;

/** The ENI mover's decision, one observation at a time: no EC2, no clock. */
class EniDecideTest {
    private static final String ME = "i-0000000000000000b";
    private static final String OTHER = "i-0000000000000000a";
    private static final Duration FORCE = Duration.ofSeconds(10);

    private static Seen seen(String instance, AttachmentStatus status, int index) {
        return new Seen(Optional.ofNullable(instance), Optional.ofNullable(instance).map(i -> "eni-attach-1"),
                instance == null ? AttachmentStatus.DETACHED : status, index);
    }

    private static Act decide(Seen s) {
        return EniMover.decide(s, ME, Optional.empty(), -1, false, FORCE);
    }

    @Test
    void available_attach() {
        assertEquals(Act.ATTACH, decide(seen(null, null, -1)));
    }

    @Test
    void attachedHere_done_evenAtAnotherDeviceIndex() {
        assertEquals(Act.DONE, decide(seen(ME, AttachmentStatus.ATTACHED, 1)));
        assertEquals(Act.DONE, decide(seen(ME, AttachmentStatus.ATTACHED, 2)));
    }

    @Test
    void attachedElsewhere_detach_butNotTwiceForOneAttachment() {
        Seen s = seen(OTHER, AttachmentStatus.ATTACHED, 1);
        assertEquals(Act.DETACH, decide(s));
        assertEquals(Act.WAIT, EniMover.decide(s, ME, Optional.of("eni-attach-1"), -1, false, FORCE),
                "a stale read after our detach");
    }

    @Test
    void attaching_anywhere_waitForTheOutcome() {
        assertEquals(Act.WAIT, decide(seen(OTHER, AttachmentStatus.ATTACHING, 1)));
        assertEquals(Act.WAIT, decide(seen(ME, AttachmentStatus.ATTACHING, 1)));
    }

    @Test
    void detachingElsewhere_waitUntilForceDetachAfter_thenForceOnce() {
        Seen s = seen(OTHER, AttachmentStatus.DETACHING, 1);
        assertEquals(Act.WAIT, EniMover.decide(s, ME, Optional.of("eni-attach-1"), FORCE.toNanos() - 1, false, FORCE));
        assertEquals(Act.FORCE_DETACH, EniMover.decide(s, ME, Optional.of("eni-attach-1"), FORCE.toNanos(), false,
                FORCE));
        assertEquals(Act.WAIT, EniMover.decide(s, ME, Optional.of("eni-attach-1"), FORCE.toNanos() * 3, true, FORCE),
                "forced already");
    }

    @Test
    void detachingFromThisInstance_neverForced_waitThenAttach() {
        assertEquals(Act.WAIT, EniMover.decide(seen(ME, AttachmentStatus.DETACHING, 1), ME, Optional.empty(),
                FORCE.toNanos() * 3, false, FORCE));
    }
}
