package io.haagent.agent.supervise;

import io.haagent.agent.heal.Decision;
import io.haagent.agent.heal.HealEvent;
import java.util.ArrayList;
import java.util.List;

/** Keeps what a {@link HealLoop} said and emitted, for assertions. */
final class RecordingHooks implements HealLoop.Hooks {
    private final List<String> log = new ArrayList<>();
    private final List<HealEvent> events = new ArrayList<>();
    private final List<String> started = new ArrayList<>();

    @Override
    public synchronized void decided(Decision decision) {
        log.addAll(decision.log());
    }

    @Override
    public synchronized void emitted(HealEvent event) {
        events.add(event);
    }

    @Override
    public synchronized void processStarted(String service) {
        started.add(service);
    }

    /** The services whose child was started, in the order the supervisor reported them. */
    synchronized List<String> started() {
        return List.copyOf(started);
    }

    synchronized List<String> log() {
        return List.copyOf(log);
    }

    synchronized List<HealEvent> events() {
        return List.copyOf(events);
    }
}
