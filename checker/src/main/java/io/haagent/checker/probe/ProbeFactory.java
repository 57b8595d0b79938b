package io.haagent.checker.probe;

import io.haagent.config.CheckSpec;

/** Makes the {@link Probe} for a check; {@link Probes} is the real one, tests pass their own. */
@FunctionalInterface
public interface ProbeFactory {
    /**
     * The probe for check {@code name}. May throw {@link IllegalArgumentException} for a spec it
     * cannot run (the scheduler then reports every run of that check as down with the message).
     */
    Probe forCheck(String name, CheckSpec spec);
}
