package io.haagent.failover.vrrp;

import io.haagent.config.Ipv4;
import java.util.Optional;

/** What the actuator must do, in list order. */
public sealed interface Action permits Action.SendAdvert, Action.SendAdvertTo, Action.ReassertMaster, Action.HandOver,
        Action.AskLease, Action.ReleaseLease, Action.SendFollowerAdvert, Action.Transition {

    /** Send one advert to every peer with this priority (0 = "I am leaving", RFC 5798 §6.4.3). */
    record SendAdvert(int priority, int advertIntervalCentis) implements Action {}

    /**
     * Send one advert to {@code peer} only. A master that yields to a higher one tells it so with a last
     * advert of its own: the winner then knows there were two masters (a healed partition) and re-asserts
     * its address, whichever side's advert crossed the healed link first. A keepalived winner answers it
     * with an advert of its own ("forcing new election"), which changes nothing.
     */
    record SendAdvertTo(Ipv4 peer, int priority, int advertIntervalCentis) implements Action {}

    /**
     * A master heard a lower-priority master (typically after a healed partition): re-assert what it
     * owns (address, gratuitous ARP, Redis role) — what keepalived users add with
     * {@code notify_master_rx_lower_pri}. Idempotent by contract.
     */
    record ReassertMaster(Ipv4 lowerPriorityPeer, int peerPriority, int ourPriority) implements Action {}

    /**
     * A MASTER stops for a planned agent restart and the next agent resumes: send this advert to every peer (a few
     * copies, against loss) and record the hand-over in the state file with {@code holdNanos}, how long the peer now
     * waits before it takes over. Not a transition: no hook, mail or role action, so the Redis stays master and the
     * address stays here (the node is MASTER in all but its agent).
     */
    record HandOver(int priority, int advertIntervalCentis, long holdNanos) implements Action {}

    /**
     * A BACKUP behind a lease follows its master: send it a follower advert of our priority (v3, haagent's reserved
     * bit: see {@code VrrpPacket#follower}), every advert interval. The master's lease counts it as the peer's
     * agreement, which keeps it MASTER past its deadline while ZooKeeper itself is down (the failsafe); a standard
     * receiver would take it for a lower-priority master, so only leased pairs, haagent on both ends, send it.
     */
    record SendFollowerAdvert(int priority, int advertIntervalCentis) implements Action {}

    /**
     * An instance behind a lease would become MASTER ({@code why}: the master fell silent, left, or a preemption): get
     * the lease and answer {@link Input.LeaseGranted}. Until then it stays where it is (BACKUP, or INIT at start) and
     * nothing is promoted or moved.
     */
    record AskLease(String why) implements Action {}

    /**
     * An instance behind a lease no longer is or wants to be MASTER ({@code why}): give the lease up at once (stop
     * asking, delete it when held), so the peer need not wait for a session to expire.
     */
    record ReleaseLease(String why) implements Action {}

    /**
     * A state change: the event that becomes the state file, notify hooks, mail and Redis actions.
     * {@code master} is the master as this node knows it after the change (itself when MASTER).
     */
    sealed interface Transition extends Action permits BecomeMaster, BecomeBackup, EnterFault, ReturnToInit {
        VrrpState from();

        VrrpState to();

        String reason();

        Optional<Ipv4> master();

        /** The priority this node advertises after the change (the notify hooks' last argument). */
        int priority();
    }

    record BecomeMaster(VrrpState from, String reason, Optional<Ipv4> master, int priority) implements Transition {
        public VrrpState to() {
            return VrrpState.MASTER;
        }
    }

    record BecomeBackup(VrrpState from, String reason, Optional<Ipv4> master, int priority) implements Transition {
        public VrrpState to() {
            return VrrpState.BACKUP;
        }
    }

    record EnterFault(VrrpState from, String reason, Optional<Ipv4> master, int priority) implements Transition {
        public VrrpState to() {
            return VrrpState.FAULT;
        }
    }

    /** Stopped: back to INIT. */
    record ReturnToInit(VrrpState from, String reason, Optional<Ipv4> master, int priority) implements Transition {
        public VrrpState to() {
            return VrrpState.INIT;
        }
    }
}
