package io.haagent.lint.finding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
    private static final List<String> KEYS = List.of("interval", "timeout", "rise", "fall", "advert_interval");

    @Test
    void typos_findTheKey() {
        assertEquals(Optional.of("interval"), DidYouMean.closest("intreval", KEYS), "transposition");
        assertEquals(Optional.of("interval"), DidYouMean.closest("interva", KEYS), "deletion");
        assertEquals(Optional.of("timeout"), DidYouMean.closest("Timeout", KEYS), "case");
        assertEquals(Optional.of("advert_interval"), DidYouMean.closest("advert_intervall", KEYS));
        assertEquals(Optional.of("advert_interval"), DidYouMean.closest("advert-interval", KEYS));
    }

    @Test
    void unrelatedWords_findNothing_andTheHintListsTheChoices() {
        assertEquals(Optional.empty(), DidYouMean.closest("colour", KEYS));
        assertEquals(Optional.empty(), DidYouMean.closest("ri", KEYS), "short words need a close match");
        assertEquals("; expected one of: ip, udp", DidYouMean.hint("tcp", List.of("ip", "udp")));
    }
}
