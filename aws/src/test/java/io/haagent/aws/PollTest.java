package io.haagent.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haagent.testkit.FakeTicker;
import io.haagent.time.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollTest {
    private final FakeTicker ticker = new FakeTicker();
    private final List<Duration> pauses = new ArrayList<>();
    private final AwsEdges edges = new AwsEdges(b -> { }, b -> { }, ticker::nanoTime, d -> {
        pauses.add(d);
        ticker.advance(d);
    });

    private List<Duration> pauseUntilExpired(Poll poll) throws InterruptedException {
        while (!poll.expired()) {
            poll.pause();
        }
        return pauses;
    }

    @Test
    void moverPolls_doubleFromFirstToMax_andTheLastIsCutAtTheDeadline() throws Exception {
        Poll poll = edges.poll(Duration.ofSeconds(3), new Backoff(Duration.ofMillis(250), Duration.ofSeconds(1)));

        assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMillis(250)), pauseUntilExpired(poll));
        assertEquals(5, poll.polls());
        assertEquals(Duration.ofSeconds(3), poll.elapsed());
    }

    @Test
    void restarterPolls_stayTheSame_whenFirstIsMax() throws Exception {
        Poll poll = edges.poll(Duration.ofSeconds(5), new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(2)));

        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1)),
                pauseUntilExpired(poll));
        assertEquals(3, poll.polls());
    }

    @Test
    void pause_neverWaitsPastTheDeadline_evenWhenTheCallerIsLate() throws Exception {
        Poll poll = edges.poll(Duration.ofSeconds(1), new Backoff(Duration.ofMillis(250), Duration.ofSeconds(1)));
        ticker.advance(Duration.ofSeconds(2)); // a slow describe ate the whole budget

        assertTrue(poll.expired());
        poll.pause();
        assertEquals(List.of(Duration.ZERO), pauses);
    }

    @Test
    void noPause_meansNoPolls_andTheTimeSinceTheStart() {
        Poll poll = edges.poll(Duration.ofSeconds(1), new Backoff(Duration.ofMillis(250), Duration.ofSeconds(1)));
        ticker.advance(Duration.ofMillis(300));

        assertFalse(poll.expired());
        assertEquals(0, poll.polls());
        assertEquals(Duration.ofMillis(300), poll.elapsed());
    }

    @Test
    void anInterruptedPause_endsTheWait() {
        Poll poll = new AwsEdges(b -> { }, b -> { }, ticker::nanoTime, d -> {
            throw new InterruptedException("agent stopping");
        }).poll(Duration.ofSeconds(1), new Backoff(Duration.ofMillis(250), Duration.ofSeconds(1)));

        assertThrows(InterruptedException.class, poll::pause);
    }
}
