package io.haagent.time;

/**
 * A monotonic clock, injected wherever a decision depends on time, so that tests drive it
 * (testkit's {@code FakeTicker}: pass {@code fake::nanoTime}). Wall-clock instants are only for
 * what humans read.
 */
@FunctionalInterface
public interface Ticker {
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
