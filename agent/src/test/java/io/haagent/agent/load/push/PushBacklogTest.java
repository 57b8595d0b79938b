package io.haagent.agent.load.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.FakeTicker;
import io.haagent.time.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The push decision on a fake clock: order, the bound, the backoff, and the two sentences of an outage. */
class PushBacklogTest {
    private static final String SINK = "redis 10.0.0.5:6379";
    private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8));

    private final FakeTicker ticker = new FakeTicker();
    private final PushBacklog<Integer> backlog = new PushBacklog<>(SINK, 360, BACKOFF);

    @Test
    void offered_areDueAtOnce_oldestFirst_oneAtATime() {
        backlog.offer(1);
        backlog.offer(2);

        assertEquals(Optional.of(1), backlog.due(ticker.nanoTime()));
        assertEquals(Optional.empty(), backlog.sent(ticker.nanoTime()), "no sentence while the sink is up");
        assertEquals(Optional.of(2), backlog.due(ticker.nanoTime()), "after a success the next goes at once");
        backlog.sent(ticker.nanoTime());
        assertEquals(Optional.empty(), backlog.due(ticker.nanoTime()));
        assertEquals(Long.MAX_VALUE, backlog.nextAttemptAtNanos(), "nothing to send: no wake-up");
    }

    @Test
    void failed_keepsTheHead_andRetriesItAfterTheBackoff_doublingUpToItsMax() {
        backlog.offer(1);
        List<Long> waits = new ArrayList<>();
        for (int attempt = 1; attempt <= 5; attempt++) {
            long now = ticker.nanoTime();
            assertEquals(Optional.of(1), backlog.due(now));
            backlog.failed(now, FailureReason.CONNECT, "connection refused", 0);
            waits.add(backlog.nextAttemptAtNanos() - now);
            assertEquals(Optional.empty(), backlog.due(backlog.nextAttemptAtNanos() - 1), "not before the backoff");
            ticker.advance(Duration.ofNanos(backlog.nextAttemptAtNanos() - now));
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 8L), waits.stream().map(n -> Duration.ofNanos(n).toSeconds()).toList());

        backlog.sent(ticker.nanoTime());
        backlog.offer(2);
        assertEquals(Optional.of(2), backlog.due(ticker.nanoTime()), "a success ends the backoff");
    }

    @Test
    void offer_beyondTheBound_dropsTheOldest_andCountsIt() {
        PushBacklog<Integer> small = new PushBacklog<>(SINK, 3, BACKOFF);
        List<Boolean> dropped = new ArrayList<>();
        for (int seq = 1; seq <= 5; seq++) {
            dropped.add(small.offer(seq));
        }

        assertEquals(List.of(false, false, false, true, true), dropped);
        assertEquals(3, small.size());
        List<Integer> sent = new ArrayList<>();
        for (Optional<Integer> head; (head = small.due(0)).isPresent(); small.sent(0)) {
            sent.add(head.get());
        }
        assertEquals(List.of(3, 4, 5), sent, "the newest kept, in order");
    }

    @Test
    void outage_saysDownOnce_andBackOnce_withWhatWasResentAndDropped() {
        PushBacklog<Integer> small = new PushBacklog<>(SINK, 3, BACKOFF);
        List<String> sentences = new ArrayList<>();
        small.offer(1);
        small.due(ticker.nanoTime());
        small.failed(ticker.nanoTime(), FailureReason.CONNECT, "connection refused", 0).ifPresent(sentences::add);
        for (int seq = 2; seq <= 5; seq++) {
            ticker.advance(Duration.ofSeconds(10));
            small.offer(seq);
            long now = ticker.nanoTime();
            if (small.due(now).isPresent()) {
                small.failed(now, FailureReason.CONNECT, "connection refused", 0).ifPresent(sentences::add);
            }
        }
        assertEquals(List.of("load push: sink redis 10.0.0.5:6379 down (connection refused); keeping samples, at most 3"),
                sentences, "one sentence however many samples failed");

        ticker.advance(Duration.ofSeconds(8)); // the fifth failure in a row waits the backoff's max
        List<Integer> resent = new ArrayList<>();
        for (Optional<Integer> head; (head = small.due(ticker.nanoTime())).isPresent(); ) {
            resent.add(head.get());
            small.sent(ticker.nanoTime()).ifPresent(sentences::add);
        }

        assertEquals(List.of(3, 4, 5), resent);
        assertEquals(List.of(sentences.getFirst(),
                "load push: sink redis 10.0.0.5:6379 back after 48s; 3 samples resent, 2 dropped"), sentences);
        small.offer(6);
        small.due(ticker.nanoTime());
        assertTrue(small.sent(ticker.nanoTime()).isEmpty(), "steady again: quiet");
    }

    @Test
    void failureWhileResending_continuesTheOutage_withoutASecondDownSentence() {
        backlog.offer(1);
        backlog.offer(2);
        backlog.due(ticker.nanoTime());
        assertTrue(backlog.failed(ticker.nanoTime(), FailureReason.TIMEOUT, "timed out after 2s", 0).isPresent());
        ticker.advance(Duration.ofSeconds(5));
        backlog.due(ticker.nanoTime());
        assertTrue(backlog.sent(ticker.nanoTime()).isEmpty(), "not back until the backlog is resent");
        backlog.due(ticker.nanoTime());

        assertFalse(backlog.failed(ticker.nanoTime(), FailureReason.TIMEOUT, "timed out after 2s", 0).isPresent());
        ticker.advance(Duration.ofSeconds(1));
        backlog.due(ticker.nanoTime());
        assertEquals(Optional.of("load push: sink redis 10.0.0.5:6379 back after 6s; 2 samples resent, 0 dropped"),
                backlog.sent(ticker.nanoTime()));
    }
}
