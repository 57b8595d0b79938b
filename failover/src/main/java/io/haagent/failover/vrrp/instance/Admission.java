package io.haagent.failover.vrrp.instance;

import io.haagent.failover.vrrp.Input;
import java.util.Objects;
import java.util.Optional;

/** What {@link Adverts#admit} made of an arrived datagram: an advert for the election, or why not. */
public sealed interface Admission {

    /**
     * An advert of this instance from a configured peer, authenticated. {@code notice}: a once-per-peer
     * remark worth one log line (e.g. the peer's address list differs from ours: keepalived would drop our
     * adverts; or it uses keepalived's old multicast checksum form).
     */
    record Admitted(Input.AdvertReceived input, Optional<String> notice) implements Admission {
        public Admitted {
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(notice, "notice");
        }
    }

    /** Not for us; {@code reason} is for the metric, {@code detail} (what was expected, what came) for a debug log. */
    record Refused(AdvertDrop reason, String detail) implements Admission {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
