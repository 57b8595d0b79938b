package io.haagent.failover.vrrp;

import java.util.Objects;

/**
 * What keeps a BACKUP from taking mastership it would otherwise take, and why (an operator's words, shown in status).
 *
 * @param kind what is held back
 * @param why  the sentence that put it there ("switchover requested by operator (reason patching): ...")
 */
public record ElectionHold(Kind kind, String why) {

    public ElectionHold {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(why, "why");
    }

    public enum Kind {
        /**
         * A planned switchover handed mastership to the peer: the node follows whichever master it hears, whatever the
         * priorities, so that {@code preempt: true} with a higher local priority does not take mastership straight
         * back (the switchover would undo itself one master-down interval later). It still takes over when the master
         * falls silent or leaves (a failover is not a preemption), and the hold ends when it is MASTER again or an
         * operator resumes the node.
         */
        STEPPED_DOWN,
        /**
         * The node is drained: it stays BACKUP (or FAULT) and never becomes MASTER, not even when the master falls
         * silent, until an operator resumes the node. Held in memory only: a restart of haagent forgets it.
         */
        DRAINED
    }
}
