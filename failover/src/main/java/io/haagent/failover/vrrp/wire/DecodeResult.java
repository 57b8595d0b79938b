package io.haagent.failover.vrrp.wire;

import java.util.Objects;

/** What {@link VrrpCodec#decode} made of a buffer: a packet, or the reason it was dropped. */
public sealed interface DecodeResult {

    /**
     * A well-formed advertisement with a valid checksum. {@code form} says which checksum matched, so that
     * the transport can log once when a peer uses keepalived's old multicast-group form.
     */
    record Ok(VrrpPacket packet, ChecksumForm form) implements DecodeResult {
        public Ok {
            Objects.requireNonNull(packet, "packet");
            Objects.requireNonNull(form, "form");
        }
    }

    /** Not a packet we accept; {@code detail} is for the debug log, {@code reason} for the metric. */
    record Dropped(DropReason reason, String detail) implements DecodeResult {
        public Dropped {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
