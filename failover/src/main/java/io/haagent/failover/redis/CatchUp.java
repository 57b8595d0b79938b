package io.haagent.failover.redis;

import java.time.Duration;

/** How the local master's replica caught up before a planned switchover ({@link ReplicaCatchUp}); never an exception. */
public sealed interface CatchUp {

    /** One operator sentence. */
    String sentence();

    /** The peer's replica has every byte the master wrote; writes stay paused. */
    record CaughtUp(String replica, long offset, Duration took) implements CatchUp {
        public String sentence() {
            return "peer " + replica + " caught up at offset " + offset + " in " + took.toMillis() + " ms";
        }
    }

    /** The replica was still {@code lagBytes} behind when the time was up; writes resumed, nothing moved. */
    record Lagging(String replica, long lagBytes, long masterOffset, long replicaOffset, Duration waited) implements CatchUp {
        public String sentence() {
            return "peer " + replica + " is still " + lagBytes + " bytes behind (offset " + replicaOffset + " of "
                    + masterOffset + ") after " + waited.toMillis() + " ms";
        }
    }

    /** The local Redis has no online replica to hand over to (or is not a master); nothing was paused. */
    record NoReplica(String why) implements CatchUp {
        public String sentence() {
            return why;
        }
    }

    /** Redis could not be asked; writes are not paused (any pause taken was lifted, or expires on its own). */
    record Failed(String why) implements CatchUp {
        public String sentence() {
            return why;
        }
    }
}
