package io.haagent.agent.heal;

import java.util.OptionalLong;

/** A maintenance pause of one service or of the whole node: why, since when, and until when (if ever). */
public record Pause(String reason, long sinceNanos, OptionalLong untilNanos) {}
